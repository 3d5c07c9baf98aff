import CertMath

/// The poisoning's seeded generator: SplitMix64 (CertMath), under the name the data code
/// has always used.
public typealias SeededGenerator = SplitMix64
