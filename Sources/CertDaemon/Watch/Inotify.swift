import Glibc  // IN_*, EAGAIN constants; the calls go through WatchSyscalls

/// A thin wrapper over one inotify instance. Not thread-safe: one reader owns it.
public struct Inotify: Sendable {
    /// One `struct inotify_event` record.
    public struct Event: Sendable, Equatable {
        public var wd: Int32
        public var mask: UInt32
        public var cookie: UInt32
        public var name: String

        public init(wd: Int32, mask: UInt32, cookie: UInt32, name: String) {
            self.wd = wd
            self.mask = mask
            self.cookie = cookie
            self.name = name
        }
    }

    // The kernel ABI values (linux/inotify.h), spelled once as UInt32 masks.
    public static let closeWrite: UInt32 = 0x0000_0008
    public static let movedTo: UInt32 = 0x0000_0080
    public static let queueOverflow: UInt32 = 0x0000_4000
    public static let ignored: UInt32 = 0x0000_8000
    public static let isDirectory: UInt32 = 0x4000_0000
    public static let onlyDirectory: UInt32 = 0x0100_0000

    /// The descriptor, for polling.
    public let fd: Int32
    private let syscalls: WatchSyscalls

    public init(flags: Int32 = Int32(IN_CLOEXEC | IN_NONBLOCK), syscalls: WatchSyscalls = LinuxSyscalls()) throws {
        self.syscalls = syscalls
        self.fd = try syscalls.inotifyInit1(flags)
    }

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
    public enum Kind: Sendable, Equatable {
        case closedWrite, movedIn, overflow
    }

    public var name: String
    public var kind: Kind

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
