import CSystemd
import CertSystem
import Foundation

/// A small logger for journald, without swift-log. Under systemd (stderr is the journal stream)
/// it sends structured entries with sd_journal_sendv, so fields such as CERTSSB_SHA256 can be
/// matched with `journalctl CERTSSB_SHA256=…`; elsewhere it writes "<n>message key=value" lines
/// to stderr, whose "<n>" prefix journald and systemd-cat read as the priority.
public struct JournalLogger: Sendable {
    /// syslog priorities, as journald numbers them.
    public enum Priority: Int32, Sendable, CaseIterable, Comparable {
        /// From 0 (most severe) to 7; certssbd uses `err` to `debug`.
        case emerg = 0
        /// 1 to 7, in syslog's order.
        case alert, crit, err, warning, notice, info, debug

        /// More severe first: `emerg` < `debug`.
        public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
    }

    /// Where entries go.
    public enum Destination: Sendable, Equatable {
        /// The journal when stderr is connected to it (JOURNAL_STREAM), otherwise `fd`.
        case automatic
        /// Always the journal (sd_journal_sendv); stderr only when journald refuses an entry.
        case journal
        /// "<n>message key=value" lines to a descriptor (2 for stderr).
        case stream(fd: Int32)
    }

    /// Entries less severe than this (numerically larger) are dropped.
    public var threshold: Priority
    /// SYSLOG_IDENTIFIER of journal entries.
    public var identifier: String
    /// Whether entries go to journald (fixed at init).
    public let usesJournal: Bool
    let fd: Int32

    /// A logger; `.automatic` picks the journal when stderr is connected to it.
    public init(threshold: Priority = .info, identifier: String = "certssbd", destination: Destination = .automatic) {
        self.threshold = threshold
        self.identifier = identifier
        switch destination {
        case .automatic:
            usesJournal = Self.stderrIsJournal()
            fd = 2
        case .journal:
            usesJournal = true
            fd = 2
        case .stream(let target):
            usesJournal = false
            fd = target
        }
    }

    /// Whether an entry at `priority` would be written (as or more severe than `threshold`).
    public func isEnabled(_ priority: Priority) -> Bool { priority <= threshold }

    /// Writes one entry with `fields` as journal fields (CERTSSB_ + the uppercased key) or as
    /// key=value text; never throws.
    public func log(_ priority: Priority, _ message: String, fields: [String: String] = [:]) {
        guard isEnabled(priority) else { return }
        // Sorted, so the same fields always print in the same order.
        let sorted = fields.sorted { $0.key < $1.key }
        if usesJournal, sendToJournal(priority, message, sorted) { return }
        writeLine(Self.streamLine(priority, message, sorted))
    }

    /// `log(.err, …)`: shorthands for the common priorities follow.
    public func error(_ message: String, fields: [String: String] = [:]) { log(.err, message, fields: fields) }
    /// `log(.warning, …)`.
    public func warning(_ message: String, fields: [String: String] = [:]) { log(.warning, message, fields: fields) }
    /// `log(.notice, …)`.
    public func notice(_ message: String, fields: [String: String] = [:]) { log(.notice, message, fields: fields) }
    /// `log(.info, …)`.
    public func info(_ message: String, fields: [String: String] = [:]) { log(.info, message, fields: fields) }
    /// `log(.debug, …)`.
    public func debug(_ message: String, fields: [String: String] = [:]) { log(.debug, message, fields: fields) }

    /// True when JOURNAL_STREAM names stderr's device:inode, i.e. systemd connected stderr to
    /// journald (and nobody redirected it since).
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        guard let status = try? SystemCall.fstat(2) else { return false }
        return status.device == dev && status.inode == ino
    }

    /// Journal field name for a caller's key: uppercase [A-Z0-9_], namespaced CERTSSB_ so it can't
    /// collide with journald's own fields (a leading "_" is reserved for trusted ones).
    public static func journalFieldName(_ key: String) -> String {
        let cleaned = String(
            key.uppercased().unicodeScalars.map { scalar -> Character in
                ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
            })
        return cleaned.hasPrefix("CERTSSB_") ? cleaned : "CERTSSB_" + cleaned
    }

    /// "<6>message key=value …"; a multi-line message gets the prefix on every line so
    /// journald keeps its priority.
    static func streamLine(_ priority: Priority, _ message: String, _ fields: [(key: String, value: String)]) -> String {
        let prefix = "<\(priority.rawValue)>"
        var text = message
        for (key, value) in fields { text += " \(key)=\(quotedIfNeeded(value))" }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { prefix + $0 }
            .joined(separator: "\n") + "\n"
    }

    static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "=" }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"" + escaped + "\""
    }

    /// One entry through sd_journal_sendv; false if journald refused it (then stderr gets it).
    private func sendToJournal(_ priority: Priority, _ message: String, _ fields: [(key: String, value: String)]) -> Bool {
        var entries = ["MESSAGE=" + message, "PRIORITY=\(priority.rawValue)", "SYSLOG_IDENTIFIER=" + identifier]
        for (key, value) in fields { entries.append(Self.journalFieldName(key) + "=" + value) }
        // Each field is its own allocation (values may hold newlines or NULs: iovecs carry lengths).
        let buffers = entries.map { entry -> UnsafeMutableRawBufferPointer in
            let bytes = Array(entry.utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
            buffer.copyBytes(from: bytes)
            return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
        }
        defer { buffers.forEach { $0.deallocate() } }
        var vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        return sd_journal_sendv(&vectors, Int32(vectors.count)) >= 0
    }

    /// One write(2) per entry, so concurrent entries don't interleave (below PIPE_BUF).
    private func writeLine(_ line: String) {
        // Nowhere left to report a failing log; dropping beats crashing.
        try? SystemCall.writeAll(fd, Array(line.utf8))
    }
}
