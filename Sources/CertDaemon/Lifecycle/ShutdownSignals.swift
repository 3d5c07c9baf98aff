import CertSystem
import Foundation

/// SIGTERM, SIGINT and SIGHUP, forwarded by a handler through a pipe to one thread.
///
/// Neither a DispatchSource (a signalfd) nor sigwait can be relied on here: both only see a
/// signal that is blocked in every thread, and OpenBLAS starts its pool threads from a library
/// constructor, before main, with whatever mask the process inherited (empty under systemd).
/// A process-directed SIGTERM may land on any of them. A real handler runs wherever it lands;
/// it only writes the signal number to a pipe (async-signal-safe), and the reader thread acts.
public enum ShutdownSignals {
    /// The signals `forward` takes over: SIGTERM, SIGINT, SIGHUP.
    public static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Installs the handlers and calls `handler` on a dedicated thread for each signal, for the
    /// life of the process. Call once.
    public static func forward(_ handler: @escaping @Sendable (Int32) -> Void) {
        let reader: Int32
        do { reader = try SignalPipe.install(handled) } catch { fatalError("certssbd: \(error)") }
        let thread = Thread {
            while let signal = SignalPipe.next(reader) { handler(signal) }
        }
        thread.name = "certssbd-signals"
        thread.start()
    }
}
