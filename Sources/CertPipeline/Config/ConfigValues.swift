/// "0660", "660" or "0o660": always octal, as chmod reads it, so a decimal slip fails instead
/// of becoming a strange mode.
func parseOctalMode(_ value: String) throws -> UInt32 {
    var digits = Substring(value)
    if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
    guard !digits.isEmpty, digits.allSatisfy({ ("0"..."7").contains($0) }), let mode = UInt32(digits, radix: 8) else {
        throw InvalidValue("'\(value)' is not an octal mode such as 0660")
    }
    guard mode <= 0o777 else { throw InvalidValue("'\(value)' has bits beyond 0777") }
    return mode
}

/// Bytes, optionally with a binary suffix: 16777216, 16M, 16MiB, 512K (K/M/G are powers of 1024).
func parseByteSize(_ value: String) throws -> Int {
    let text = value.replacingOccurrences(of: "_", with: "")
    let digits = text.prefix(while: \.isNumber)
    var suffix = text.dropFirst(digits.count).lowercased()
    if suffix.hasSuffix("ib") { suffix.removeLast(2) } else if suffix.hasSuffix("b") { suffix.removeLast() }
    let shifts: [String: Int] = ["": 0, "k": 10, "m": 20, "g": 30]
    guard let count = Int(digits), let shift = shifts[suffix] else {
        throw InvalidValue("'\(value)' is not a size (bytes, or with K, M, G)")
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: 1 << shift)
    guard !overflow else { throw InvalidValue("'\(value)' is too large") }
    return bytes
}

/// The candidate nearest to `word` by edit distance, if it is near enough to be a typo.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// Levenshtein distance over characters, one row at a time.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var diagonal = row[0]
        row[0] = i
        for j in 1...b.count {
            let above = row[j]
            row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
            diagonal = above
        }
    }
    return row[b.count]
}
