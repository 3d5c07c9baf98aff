import Logging

/// swift-log's handler over the journal logger, so ServiceGroup's own messages (a service
/// that failed, a shutdown that timed out) reach journald with a priority.
struct JournalLogHandler: LogHandler {
    let journal: JournalLogger
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .notice

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let extra = (event.metadata ?? [:]).merging(metadata) { a, _ in a }
        var text = "\(event.message)"
        if let error = event.error { text += ": \(error)" }
        if !extra.isEmpty { text += " " + extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        journal.log(Self.priority(event.level), "service group: " + text)
    }

    static func priority(_ level: Logger.Level) -> JournalLogger.Priority {
        switch level {
        case .trace, .debug: return .debug
        case .info: return .info
        case .notice: return .notice
        case .warning: return .warning
        case .error: return .err
        case .critical: return .crit
        }
    }
}
