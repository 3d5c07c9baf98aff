import Glibc  // IN_*, EAGAIN constants; the calls go through WatchSyscalls

/// A thin wrapper over one inotify instance. Not thread-safe: one reader owns it.
public struct Inotify: Sendable {
    /// One `struct inotify_event` record.
    public struct Event: Sendable, Equatable {
        /// The watch descriptor the event belongs to.
        public var wd: Int32
        /// The event's `IN_*` bits.
        public var mask: UInt32
        /// Pairs the two halves of a rename (unused by the watcher).
        public var cookie: UInt32
        /// The file's name inside the watched folder; empty for events on the folder itself.
        public var name: String

        /// An event from its fields (tests build these).
        public init(wd: Int32, mask: UInt32, cookie: UInt32, name: String) {
            self.wd = wd
            self.mask = mask
            self.cookie = cookie
            self.name = name
        }
    }

    // The kernel ABI values (linux/inotify.h), spelled once as UInt32 masks.
    /// IN_CLOSE_WRITE: a file opened for writing was closed.
    public static let closeWrite: UInt32 = 0x0000_0008
    /// IN_MOVED_TO: a file was renamed into the folder.
    public static let movedTo: UInt32 = 0x0000_0080
    /// IN_Q_OVERFLOW: the kernel dropped events; rescan.
    public static let queueOverflow: UInt32 = 0x0000_4000
    /// IN_IGNORED: the watch is gone (folder removed or unmounted).
    public static let ignored: UInt32 = 0x0000_8000
    /// IN_ISDIR: the event is about a directory.
    public static let isDirectory: UInt32 = 0x4000_0000
    /// IN_ONLYDIR: add the watch only if the path is a directory.
    public static let onlyDirectory: UInt32 = 0x0100_0000

    /// The descriptor, for polling.
    public let fd: Int32
    private let syscalls: WatchSyscalls

    /// A new inotify instance (close-on-exec, non-blocking by default). Throws `SyscallError`
    /// (EMFILE: too many instances).
    public init(flags: Int32 = Int32(IN_CLOEXEC | IN_NONBLOCK), syscalls: WatchSyscalls = LinuxSyscalls()) throws {
        self.syscalls = syscalls
        self.fd = try syscalls.inotifyInit1(flags)
    }

    /// Watches `path` for `mask`; returns the watch descriptor. Throws `SyscallError` (ENOENT,
    /// ENOSPC: out of watches).
    public func addWatch(_ path: String, mask: UInt32) throws -> Int32 {
        try syscalls.inotifyAddWatch(fd, path, mask)
    }

    /// Everything queued now; [] when nothing is (the fd is non-blocking).
    public func readEvents() throws -> [Event] {
        // Large enough for many records; the kernel never splits one record across reads.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var events: [Event] = []
        while true {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try syscalls.read(fd, into: $0) }
            } catch let error as SyscallError where error.errno == EAGAIN {
                return events
            }
            if n <= 0 { return events }
            events += Inotify.parse(buffer[0..<n])
        }
    }

    /// Closes the descriptor; every watch ends with it.
    public func close() {
        syscalls.close(fd)
    }

    /// Splits a read into records: a 16-byte header (wd, mask, cookie, len), then `len`
    /// bytes of NUL-padded name. A truncated tail is dropped rather than misread.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 16 <= raw.count {
                let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let cookie = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                let len = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                guard offset + 16 + len <= raw.count else { break }
                let nameBytes = raw[(offset + 16)..<(offset + 16 + len)].prefix { $0 != 0 }
                // Non-UTF-8 names cannot be turned back into the same path: dropped.
                if let name = String(validating: nameBytes, as: UTF8.self) {
                    events.append(Event(wd: wd, mask: mask, cookie: cookie, name: name))
                }
                offset += 16 + len
            }
        }
        return events
    }

    /// Builds one record, as the kernel would; tests use it to inject events.
    public static func record(wd: Int32, mask: UInt32, cookie: UInt32 = 0, name: String = "") -> [UInt8] {
        var nameBytes = Array(name.utf8)
        if !nameBytes.isEmpty {
            nameBytes.append(0)
            while nameBytes.count % 16 != 0 { nameBytes.append(0) }
        }
        var out: [UInt8] = []
        withUnsafeBytes(of: wd.littleEndian) { out += $0 }
        withUnsafeBytes(of: mask.littleEndian) { out += $0 }
        withUnsafeBytes(of: cookie.littleEndian) { out += $0 }
        withUnsafeBytes(of: UInt32(nameBytes.count).littleEndian) { out += $0 }
        return out + nameBytes
    }
}

/// What the watcher reacts to, stripped of inotify details.
public struct WatchEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// Written and closed, renamed in, or events were lost (rescan).
        case closedWrite, movedIn, overflow
    }

    /// The file's name in the inbox; empty for `overflow`.
    public var name: String
    /// What happened to it.
    public var kind: Kind

    /// An event from its parts.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// nil for records the watcher does not act on (directories, other masks).
    public init?(_ event: Inotify.Event) {
        if event.mask & Inotify.queueOverflow != 0 {
            self.init(name: "", kind: .overflow)
        } else if event.mask & Inotify.isDirectory != 0 || event.name.isEmpty {
            return nil
        } else if event.mask & Inotify.movedTo != 0 {
            self.init(name: event.name, kind: .movedIn)
        } else if event.mask & Inotify.closeWrite != 0 {
            self.init(name: event.name, kind: .closedWrite)
        } else {
            return nil
        }
    }
}
