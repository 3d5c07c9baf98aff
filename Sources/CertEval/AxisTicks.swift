import Foundation

/// Round tick values from 0 up to a little past a maximum: steps of 1, 2, 2.5 or 5 times a
/// power of ten, at most `target` + 1 intervals.
public struct AxisTicks: Sendable, Equatable {
    /// The distance between ticks.
    public var step: Double
    /// The tick values, 0 first, `upper` last.
    public var values: [Double]
    /// Decimals that show every tick exactly.
    public var decimals: Int
    /// The axis' end: the first tick at or past the maximum with a little room.
    public var upper: Double { values.last ?? 1 }

    /// Ticks covering [0, maximum], the last one at least 3% past it so a curve's final step
    /// is not drawn on the frame. A maximum that is not positive and finite gives 0 … 1.
    public init(covering maximum: Double, target: Int = 6) {
        let top = maximum > 0 && maximum.isFinite ? maximum * 1.03 : 1
        let raw = top / Double(max(target, 1)), magnitude = pow(10, (log10(raw)).rounded(.down))
        // The finest round step that needs at most target + 1 intervals: no wasted axis.
        let candidates = [0.1, 1, 10].flatMap { p in [1, 2, 2.5, 5].map { (mantissa: $0, step: $0 * p * magnitude) } }
        let chosen = candidates.first { (top / $0.step - 1e-9).rounded(.up) <= Double(max(target, 1) + 1) } ?? (10, 100 * magnitude)
        let step = chosen.step, mantissa = chosen.mantissa
        let count = Int((top / step - 1e-9).rounded(.up))
        self.step = step
        values = (0...max(count, 1)).map { Double($0) * step }
        decimals = max(0, -Int(log10(step).rounded(.down)) + (mantissa == 2.5 ? 1 : 0))
    }

    /// `value` with this axis' decimals ("0.05", "1.0" → "1" when the step is whole).
    public func label(_ value: Double) -> String { String(format: "%.\(decimals)f", value) }
}
