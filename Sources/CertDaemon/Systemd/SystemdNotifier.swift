import CSystemd
import CertPipeline

/// Type=notify messages to the service manager (sd_notify(3)). Without NOTIFY_SOCKET every call
/// is a no-op, so the daemon runs the same by hand, under systemd-socket-activate or in tests.
public enum SystemdNotifier {
    /// Sends raw "KEY=value" lines; true when a manager received them.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        // unset_environment = 0: later calls (watchdog, STOPPING) need NOTIFY_SOCKET too.
        sd_notify(0, state) > 0
    }

    /// Models and plugins are loaded and the socket is served.
    @discardableResult
    public static func ready(status: String? = nil) -> Bool {
        notify("READY=1" + (status.map { "\nSTATUS=" + oneLine($0) } ?? ""))
    }

    /// Free text shown by `systemctl status`.
    @discardableResult
    public static func status(_ text: String) -> Bool {
        notify("STATUS=" + oneLine(text))
    }

    /// A SIGHUP reload began. Must be followed by `ready(status:)` when it ends, failed or not,
    /// or systemd keeps the unit in "reloading" (systemd 252 needs no MONOTONIC_USEC here).
    @discardableResult
    public static func reloading(status: String? = nil) -> Bool {
        notify("RELOADING=1" + (status.map { "\nSTATUS=" + oneLine($0) } ?? ""))
    }

    /// Shutdown began (SIGTERM): systemd stops expecting watchdog pings.
    @discardableResult
    public static func stopping(status: String? = nil) -> Bool {
        notify("STOPPING=1" + (status.map { "\nSTATUS=" + oneLine($0) } ?? ""))
    }

    /// Watchdog keep-alive; send at half of `watchdogInterval`.
    @discardableResult
    public static func watchdog() -> Bool {
        notify("WATCHDOG=1")
    }

    /// Asks for more start/stop time (a huge model set, a long drain) than TimeoutStartSec= gives.
    @discardableResult
    public static func extendTimeout(by duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        let usec = max(0, seconds) * 1_000_000 + max(0, attoseconds) / 1_000_000_000_000
        return notify("EXTEND_TIMEOUT_USEC=\(usec)")
    }

    /// WatchdogSec= of the unit, when it is set and meant for this process (WATCHDOG_PID).
    public static var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// The protocol is newline-separated, so a newline inside a status would start a bogus field.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
