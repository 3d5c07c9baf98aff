import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small tmpfs that only this test sees, for running out of disk on purpose: mounted in
/// the private mount namespace of a holder process (unshare; root only), and reached from
/// the test process through /proc/<holder>/root. The host's mounts are never touched.
public final class PrivateTmpfs {
    public static let unshare = "/usr/bin/unshare"
    /// Whether this machine can make one (root and unshare(1)).
    public static let available = getuid() == 0 && FileManager.default.isExecutableFile(atPath: unshare)

    private let mountPoint: TemporaryDirectory
    private let log: TemporaryDirectory
    private let holder: SpawnedProcess

    /// The tmpfs as this process reaches it (an empty folder on the host's side).
    public var path: String { "/proc/\(holder.pid)/root\(mountPoint.path)" }
    private var filler: String { path + "/filler" }

    public init(megabytes: Int = 4) throws {
        mountPoint = try TemporaryDirectory("tmpfs")
        log = try TemporaryDirectory("tmpfs-log")
        holder = try SpawnedProcess(
            Self.unshare,
            [
                "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs -o size=\(megabytes)m certssb-test \"$0\" && touch \"$0/.mounted\" && exec sleep 3600",
                mountPoint.path,
            ], stderr: log.file("stderr"))
        let mounted = Wait.until { !holder.isRunning || FileManager.default.fileExists(atPath: path + "/.mounted") }
        guard mounted, holder.isRunning else {
            let reason = (try? String(contentsOfFile: log.file("stderr"), encoding: .utf8)) ?? ""
            throw TestSupportError("could not mount a private tmpfs: \(reason)")
        }
    }

    /// Fills the tmpfs to the last byte: the next write that needs a block fails with ENOSPC.
    public func fill() throws {
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw TestSupportError("open \(filler): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let block = [UInt8](repeating: 0xA5, count: 65536)
        // A short write comes first as space runs out, then ENOSPC.
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Gives the space back.
    public func empty() { unlink(filler) }

    deinit {
        holder.send(SIGKILL)
        holder.wait()
    }
}
