import Foundation
import Glibc

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
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { fatalError("certssbd: pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        let reader = ends[0]
        for signal in handled {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                let saved = errno  // the interrupted code may be about to read errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(reader, &byte, 1)
                if n == 1 { handler(Int32(byte)) } else if n < 0 && errno != EINTR { return }
            }
        }
        thread.name = "certssbd-signals"
        thread.start()
    }
}

/// Read by the signal handler, which can capture nothing; set once before the handlers exist.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1
