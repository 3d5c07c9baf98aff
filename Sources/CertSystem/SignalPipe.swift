#if canImport(Glibc)
    import Glibc
#endif

/// Signals delivered as bytes on a pipe: the handler (which may run on any thread, OpenBLAS's
/// included) only writes the signal number, which is async-signal-safe; `next()` reads them on
/// an ordinary thread. One per process.
public enum SignalPipe {
    /// Installs handlers (SA_RESTART) for `signals` and returns the read end of the pipe.
    /// Call once. Throws `SystemError` when the pipe cannot be made.
    public static func install(_ signals: [Int32]) throws -> Int32 {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SystemError.last("pipe") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }  // Glibc's module lacks pipe2
        signalPipeWriteEnd = ends[1]
        for signal in signals {
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
        return ends[0]
    }

    /// Blocks until the next signal arrives on `readEnd`; nil when the pipe fails or closes.
    public static func next(_ readEnd: Int32) -> Int32? {
        var byte: UInt8 = 0
        while true {
            let n = read(readEnd, &byte, 1)
            if n == 1 { return Int32(byte) }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }
}

/// Read by the handler, which can capture nothing (not even a static); set once before any
/// handler exists.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1
