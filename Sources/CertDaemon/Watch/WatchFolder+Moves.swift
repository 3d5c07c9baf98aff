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
    /// After the verdict of `path` is committed: moves it to processed/NAME and writes
    /// processed/NAME.verdict.json atomically (temp file in the same folder, fsync, rename).
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

    // Sidecar first (the step that can run out of space), then the file, then the sidecar's
    // rename: every failure before the last step leaves the inbox as it was.
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
                // A left-over sidecar also makes a name taken: a verdict never lands on another's.
                if exists(target) || exists(target + sidecarExtension) { continue }
                do {
                    try syscalls.rename(path, target, noReplace: true)
                } catch let error as SyscallError where error.errno == EEXIST {
                    continue  // Taken since we looked: try the next suffix.
                } catch let error as SyscallError where error.errno == ENOENT {
                    release(path)  // Gone from the inbox: a new file of that name must count again.
                    throw error
                }
                do {
                    try syscalls.rename(temp, target + sidecarExtension, noReplace: true)
                } catch {
                    try? syscalls.rename(target, path, noReplace: true)  // Put the file back.
                    throw error
                }
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
