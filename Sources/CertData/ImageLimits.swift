/// Guards against absurd headers: a 20-byte file can claim 4 billion pixels.
enum ImageLimits {
    /// Largest image accepted, in values (channels × height × width); 3x4000x4000 still fits.
    static let maximumValues = 50_000_000

    /// Checks dimensions before anything is allocated; returns the value count.
    static func checkedCount(channels: Int, height: Int, width: Int) throws -> Int {
        guard channels > 0, height > 0, width > 0 else {
            throw DecodeFailure("image has a 0-sized dimension (\(channels)x\(height)x\(width))")
        }
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (total, o2) = hw.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, total <= maximumValues else {
            throw DecodeFailure("image is too large (\(channels)x\(height)x\(width)); the limit is \(maximumValues) values")
        }
        return total
    }
}
