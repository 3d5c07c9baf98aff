/// The fuzz targets (docs/FUZZING.md). Each takes any bytes, does what a real caller does with
/// them, and returns; it traps only when the code under test broke a promise (an invariant
/// check below), so libFuzzer reports exactly the inputs that are bugs.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// PNG, JPEG, PGM/PPM and NPY through `ImageDecoder`, as the daemon and the CLI call it.
    case image
    /// Bytes from a client through the connection's real pipeline (NIO's codec and our handler).
    case http
    /// `certssbd.conf` text through `ConfigParser`, and the rendered config back.
    case config
    /// A model set's `manifest.json` and one safetensors file through `ModelSet.load`.
    case modelset
    /// A PyTorch zip checkpoint (raw, or a pickle wrapped in a valid zip) through `TorchCheckpoint.load`.
    case torch
    /// Logits and trigger-plugin outputs through `EnsembleScores`, `Certificate.compute` and the
    /// trigger reports.
    case certify

    /// Runs one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .image: ImageFuzz.run(bytes)
        case .http: HTTPFuzz.run(bytes)
        case .config: ConfigFuzz.run(bytes)
        case .modelset: ModelSetFuzz.run(bytes)
        case .torch: TorchFuzz.run(bytes)
        case .certify: CertifyFuzz.run(bytes)
        }
    }
}

/// A broken promise of the code under test: trap with the reason, so libFuzzer keeps the input.
func violated(_ what: String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError("fuzz invariant violated: \(what)", file: file, line: line)
}
