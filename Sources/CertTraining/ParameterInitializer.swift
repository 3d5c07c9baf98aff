import CertCore

/// PyTorch's default initialisation, seeded: weights and biases uniform in ±1/√fan_in
/// (kaiming_uniform with a = √5), drawn from a Philox stream in parameter order.
final class ParameterInitializer {
    private let generator: Philox4x32
    private var position: UInt64 = 0

    init(seed: UInt64) {
        generator = Philox4x32(key0: UInt32(truncatingIfNeeded: seed), key1: UInt32(truncatingIfNeeded: seed >> 32) ^ 0x696E_6974)
    }

    func uniform(_ count: Int, fanIn: Int) -> [Float] {
        let bound = 1 / Float(fanIn).squareRoot()
        return (0..<count).map { _ in
            let w = generator.block((UInt32(truncatingIfNeeded: position), UInt32(truncatingIfNeeded: position >> 32), 0, 0)).0
            position += 1
            let u = Float(Double(w) / 4_294_967_296.0)  // [0, 1)
            return (2 * u - 1) * bound
        }
    }
}
