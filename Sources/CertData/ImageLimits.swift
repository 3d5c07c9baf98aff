import CertShape

/// Guards against absurd headers: a 20-byte file can claim 4 billion pixels.
public enum ImageLimits {
    /// Largest image accepted, in values (channels × height × width); 3x4000x4000 still fits.
    public static let maximumValues = 50_000_000

    /// Checks the header's dimensions against `limit`, and against the shape the caller expects
    /// (the model set's), before anything is allocated or decompressed: a 1 KB PNG whose IHDR
    /// claims 4000x4000 is refused here, never inflated. Returns the value count.
    static func checkedCount(
        channels: Int, height: Int, width: Int, limit: Int = maximumValues, expecting: ImageShape? = nil
    ) throws -> Int {
        guard channels > 0, height > 0, width > 0 else {
            throw DecodeFailure("image has a 0-sized dimension (\(channels)x\(height)x\(width))")
        }
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (total, o2) = hw.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, total <= limit else {
            throw DecodeFailure("image is too large (\(channels)x\(height)x\(width)); the limit is \(limit) values")
        }
        if let expecting, ImageShape(channels: channels, height: height, width: width) != expecting {
            throw DecodeFailure("image is \(channels)x\(height)x\(width) but the model set expects \(expecting)")
        }
        return total
    }
}
