import Glibc  // O_*, E* constants and getpid; the calls go through WatchSyscalls

/// Why a file could not leave the inbox; one line, fit for a log. The file is still there.
public struct WatchMoveError: Error, Equatable, CustomStringConvertible {
    /// What failed, with the path ("cannot move … to processed/: …").
    public var message: String
    /// The errno of the failing call.
    public var errno: Int32
    /// `message`.
    public var description: String { message }
}

/// failed/NAME.error.json beside a file that could not be certified.
struct FailureSidecar: Encodable {
    var file: String
    var error: String
    var code: String
}

extension WatchFolder {
    /// After the verdict of `path` is committed: writes processed/NAME.verdict.json atomically
    /// (temp file in the same folder, fsync, rename), then moves the file to processed/NAME.
    /// A name already taken gets a numeric suffix ("a-1.png"); nothing is overwritten.
    /// Returns the new path. On error the file stays in the inbox.
    @discardableResult
    public func finish(_ path: String, verdictJSON: [UInt8]) throws -> String {
        try moveOut(path, to: processed, sidecarExtension: ".verdict.json", sidecar: verdictJSON)
    }

    /// After a failure: moves `path` to failed/NAME with failed/NAME.error.json =
    /// {"file":..,"error":..,"code":..}. Same guarantees as `finish`.
    @discardableResult
    public func fail(_ path: String, code: String, message: String) throws -> String {
        let name = WatchPaths.lastComponent(path)
        let sidecar = JSONBody.bytes(FailureSidecar(file: name, error: message, code: code)) + Array("\n".utf8)
        return try moveOut(path, to: failed, sidecarExtension: ".error.json", sidecar: sidecar)
    }

    // The order is what makes a SIGKILL at any point harmless: the sidecar is written to a temp
    // file (the step that can run out of space), renamed to its final name, and only then is
    // the file itself renamed out of the inbox, which is the commit. A kill before that last
    // rename leaves the file in the inbox with its sidecar already in place; the next daemon
    // offers the file again, finds its verdict in the store, and this function then finds a
    // sidecar with the very same bytes and no file beside it: its own unfinished move, which it
    // completes under that name instead of taking a suffix. (Renaming the file first would
    // leave, after a kill, a file in processed/ with no sidecar and nothing left in the inbox
    // to finish it.)
    private func moveOut(_ path: String, to dir: String, sidecarExtension: String, sidecar: [UInt8]) throws -> String {
        let name = WatchPaths.lastComponent(path)
        func failure(_ error: Error) -> WatchMoveError {
            let errno = (error as? SyscallError)?.errno ?? 0
            return WatchMoveError(message: "cannot move \(path) to \(dir)/: \(error)", errno: errno)
        }
        // Short and hidden: NAME may already be near NAME_MAX, and tools skip dot files.
        let temp = "\(dir)/.sidecar.\(getpid()).\(nextTempNumber()).tmp"
        do {
            try WatchPaths.makeDirectories(dir, syscalls: syscalls)
            try writeSynced(temp, sidecar)
        } catch {
            try? syscalls.unlink(temp)
            throw failure(error)
        }
        do {
            for n in 0..<100_000 {
                let target = dir + "/" + (n == 0 ? name : WatchPaths.suffixed(name, n))
                // A left-over sidecar also makes a name taken, unless it is this very sidecar
                // from a move that a kill interrupted: a verdict never lands beside another's.
                if exists(target) { continue }
                let resumed = exists(target + sidecarExtension)
                if resumed {
                    // Read as an inbox file is (no link followed, capped): exactly these bytes?
                    guard (try? read(target + sidecarExtension, maxBytes: sidecar.count).get()) == sidecar else { continue }
                } else {
                    do {
                        try syscalls.rename(temp, target + sidecarExtension, noReplace: true)
                    } catch let error as SyscallError where error.errno == EEXIST {
                        continue  // Taken since we looked: try the next suffix.
                    }
                }
                do {
                    try syscalls.rename(path, target, noReplace: true)
                } catch let error as SyscallError {
                    // Take the sidecar back (this call's own, never a resumed one), then decide.
                    if !resumed { try? syscalls.rename(target + sidecarExtension, temp, noReplace: true) }
                    if error.errno == EEXIST { continue }  // Taken since we looked.
                    if error.errno == ENOENT { release(path) }  // Gone: a new file of that name counts again.
                    throw error
                }
                if resumed { try? syscalls.unlink(temp) }
                syncDirectory(dir)
                syncDirectory(inbox)
                release(path)
                return target
            }
            throw SyscallError(call: "rename", path: path, errno: EEXIST)
        } catch {
            try? syscalls.unlink(temp)
            throw failure(error)
        }
    }

    /// Removes the temporary sidecars (`.sidecar.PID.N.tmp`) that a process killed while
    /// writing one left in processed/ and failed/: those whose process is gone (no /proc/PID).
    /// A live writer's (this process, or another certssbd sharing the folders) stays.
    func removeStaleSidecarTemps() {
        for dir in [processed, failed] {
            guard let names = try? syscalls.listDirectory(dir) else { continue }
            for name in names where name.hasPrefix(".sidecar.") && name.hasSuffix(".tmp") {
                let parts = name.split(separator: ".")
                guard parts.count == 4, let pid = Int32(parts[1]), pid != getpid(), !processExists(pid) else { continue }
                try? syscalls.unlink(dir + "/" + name)
            }
        }
    }

    private func processExists(_ pid: Int32) -> Bool {
        guard let fd = try? syscalls.open("/proc/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) else { return false }
        syscalls.close(fd)
        return true
    }

    private func writeSynced(_ path: String, _ bytes: [UInt8]) throws {
        let fd = try syscalls.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
        defer { syscalls.close(fd) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                offset += try syscalls.write(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
        }
        try syscalls.fsync(fd)
    }

    private func exists(_ path: String) -> Bool {
        do {
            let fd = try syscalls.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0)
            syscalls.close(fd)
            return true
        } catch let error as SyscallError {
            return error.errno != ENOENT  // ELOOP (a symlink), EACCES...: something is there.
        } catch {
            return true
        }
    }

    // The renames are the commit; fsync of the folders makes them survive a power cut.
    // Best effort: after the renames succeeded, reporting failure would mislead the caller.
    private func syncDirectory(_ dir: String) {
        guard let fd = try? syscalls.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) else { return }
        try? syscalls.fsync(fd)
        syscalls.close(fd)
    }
}
