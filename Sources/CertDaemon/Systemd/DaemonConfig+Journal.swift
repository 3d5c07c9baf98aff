import CertPipeline

extension DaemonConfig {
    /// `log_level` as the journal logger's threshold.
    public var logThreshold: JournalLogger.Priority {
        switch logLevel {
        case .debug: return .debug
        case .info: return .info
        case .notice: return .notice
        case .warning: return .warning
        case .error: return .err
        }
    }
}
