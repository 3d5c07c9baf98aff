import Foundation
import Glibc  // O_*, IN_*, ELOOP constants; the calls go through WatchSyscalls

/// The inbox of CONTRACTS.md §4: yields complete files, and moves each one out exactly once,
/// to processed/ or failed/, with a sidecar saying why.
///
/// Only IN_CLOSE_WRITE and IN_MOVED_TO count as "complete" (never IN_CREATE: the writer
/// may still be writing). Files already present when watching starts are taken as
/// complete too; a writer still holding one open then would be read early, which is why
/// writers should write "name.part" (or "name.tmp", or ".name") and rename it in.
///
/// A path is yielded at most once until `finish`/`fail` moves it out: rewriting a file
/// already yielded does not yield it again. Names that are not UTF-8 are skipped, and so are
/// directories; symlinks, FIFOs and devices are yielded so that `read` refuses them.
///
/// `@unchecked Sendable`: `pending`, `continuation`, `started`, `stopped`, `tempCounter` and
/// `rescanAt` are read and changed only under `lock`; `onError` is set once before `files()` starts
/// the watching thread and only read afterwards; the rest are `let`s.
public final class WatchFolder: @unchecked Sendable {
    /// The watched folder, without a trailing slash.
    public let inbox: String
    /// Where certified files go (default: `processed/` beside the inbox).
    public let processed: String
    /// Where refused files go (default: `failed/` beside the inbox).
    public let failed: String
    /// Called with one line when watching fails or ends unexpectedly (set before `files()`).
    public var onError: (@Sendable (String) -> Void)?

    let syscalls: WatchSyscalls
    private let lock = NSLock()
    // Paths yielded and not yet finished/failed: the de-duplication set.
    private var pending: Set<String> = []
    private var continuation: AsyncStream<String>.Continuation?
    private var started = false
    private var stopped = false
    private var tempCounter = 0
    // When files were left in the inbox for a retry: the time of the rescan that offers them again.
    private var rescanAt: Date?

    /// A watcher of `inbox`; the three folders are created here when missing (best effort:
    /// `files()` and the moves report failures). Nothing is watched until `files()`.
    public init(
        inbox: String, processed: String? = nil, failed: String? = nil,
        syscalls: WatchSyscalls = LinuxSyscalls()
    ) {
        let inbox = WatchPaths.trimmed(inbox)
        let parent = WatchPaths.parent(inbox)
        self.inbox = inbox
        self.processed = WatchPaths.trimmed(processed ?? parent + "/processed")
        self.failed = WatchPaths.trimmed(failed ?? parent + "/failed")
        self.syscalls = syscalls
        // Best effort here; `files()` and the moves retry and report failures.
        try? WatchPaths.makeDirectories(self.inbox, leafMode: WatchPaths.inboxMode, syscalls: syscalls)
        for dir in [self.processed, self.failed] {
            try? WatchPaths.makeDirectories(dir, syscalls: syscalls)
        }
    }

    /// Starts watching IN_CLOSE_WRITE | IN_MOVED_TO, runs the reconciliation scan (in name
    /// order, before returning, so a caller knows what the scan saw), then yields each
    /// complete regular file once, in arrival order; after IN_Q_OVERFLOW it rescans.
    /// Call once. Symlinks, directories and other non-regular files are skipped.
    public func files() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let first: Bool = lock.withLock {
            defer { started = true }
            if !started && !stopped { self.continuation = continuation }
            return !started && !stopped
        }
        guard first else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.stop() }
        let inotify: Inotify
        let wd: Int32
        do {
            try WatchPaths.makeDirectories(inbox, leafMode: WatchPaths.inboxMode, syscalls: syscalls)
            inotify = try Inotify(syscalls: syscalls)
            // The watch exists before the scan, so nothing arriving meanwhile is lost.
            do {
                wd = try inotify.addWatch(inbox, mask: Inotify.closeWrite | Inotify.movedTo | Inotify.onlyDirectory)
            } catch {
                inotify.close()
                throw error
            }
        } catch {
            end("cannot watch \(inbox): \(error)")
            return stream
        }
        removeStaleSidecarTemps()
        scan()
        let thread = Thread { [self] in run(inotify, wd: wd) }
        thread.name = "watch-folder"
        thread.start()
        return stream
    }

    /// Ends the stream; the watching thread notices within one poll interval and closes its fd.
    public func stop() {
        let c: AsyncStream<String>.Continuation? = lock.withLock {
            stopped = true
            defer { continuation = nil }
            return continuation
        }
        c?.finish()  // Outside the lock: finish() calls onTermination, which calls stop().
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// Forgets `path` once it has left the inbox, so a new file of that name counts again.
    func release(_ path: String) {
        lock.withLock { _ = pending.remove(path) }
    }

    /// Leaves `path` in the inbox after a failure that is not the file's fault (the store could
    /// not commit: a full disk), and rescans the inbox after `delay` to offer it again.
    public func retryLater(_ path: String, after delay: TimeInterval) {
        lock.withLock {
            _ = pending.remove(path)
            let due = Date().addingTimeInterval(delay)
            rescanAt = min(rescanAt ?? due, due)
        }
    }

    /// Clears a due rescan; whether one was due.
    private func takeDueRescan() -> Bool {
        lock.withLock {
            guard let due = rescanAt, due <= Date() else { return false }
            rescanAt = nil
            return true
        }
    }

    func nextTempNumber() -> Int {
        lock.withLock {
            tempCounter += 1
            return tempCounter
        }
    }

    // The poll timeout bounds how long `stop()` takes to release the fd; a wake-up pipe
    // would be faster but costs two more syscalls in the protocol for no daemon-visible gain.
    private func run(_ inotify: Inotify, wd: Int32) {
        defer { inotify.close() }
        while !isStopped {
            do {
                if takeDueRescan() { scan() }
                guard try syscalls.poll(inotify.fd, timeoutMs: 100) else { continue }
                for record in try inotify.readEvents() {
                    if record.wd == wd && record.mask & Inotify.ignored != 0 {
                        end("\(inbox) is no longer watched (removed or unmounted)")
                        return
                    }
                    guard let event = WatchEvent(record) else { continue }
                    switch event.kind {
                    case .overflow: scan()  // Events were lost: the folder itself is the truth.
                    case .closedWrite, .movedIn: offer(event.name)
                    }
                }
            } catch {
                end("watching \(inbox) failed: \(error)")
                return
            }
        }
    }

    /// Yields the files present now, in name (byte) order, skipping those already yielded.
    private func scan() {
        do {
            let names = try syscalls.listDirectory(inbox).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names { offer(name) }
        } catch {
            onError?("cannot scan \(inbox): \(error)")
        }
    }

    /// Partial files by convention: hidden, ".part", ".tmp".
    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp")
    }

    private func offer(_ name: String) {
        guard !Self.isIgnored(name), !name.contains("/") else { return }
        let path = inbox + "/" + name
        if lock.withLock({ stopped || pending.contains(path) }) { return }
        // A stale event for a file already moved out finds nothing here and is dropped.
        guard isCandidate(path) else { return }
        let c: AsyncStream<String>.Continuation? = lock.withLock {
            guard !stopped, pending.insert(path).inserted else { return nil }
            return continuation
        }
        c?.yield(path)
    }

    /// Every entry but a directory (users may keep subfolders) and a name already gone. A
    /// symlink, a FIFO or a device is yielded too, so that `read` refuses it and it goes to
    /// failed/ with the reason instead of sitting in the inbox unexplained.
    private func isCandidate(_ path: String) -> Bool {
        // O_NOFOLLOW: a symlink is not opened (ELOOP), so nothing outside the inbox is touched.
        // O_NONBLOCK: opening a FIFO must not hang the watcher.
        let fd: Int32
        do {
            fd = try syscalls.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0)
        } catch let error as SyscallError {
            return error.errno == ELOOP
        } catch {
            return false
        }
        defer { syscalls.close(fd) }
        return (try? syscalls.fstat(fd).isDirectory) == false
    }

    private func end(_ message: String) {
        onError?(message)
        stop()
    }
}
