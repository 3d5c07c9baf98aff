import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The socket's allow-list and per-request credentials (SO_PEERCRED), against a real certssbd,
/// with curl run as `nobody` (setpriv) so a client other than root can knock.
@Suite struct DaemonAccessTests {
    static let skipReason: String? =
        getuid() != 0
        ? "skipped: needs root to run curl as another user"
        : (FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") ? nil : "skipped: no /usr/bin/setpriv")

    /// curl as uid/gid 65534 (nobody) through the daemon's socket; the HTTP status.
    static func asNobody(_ daemon: RunningDaemon, _ path: String) throws -> (code: Int, body: String) {
        let run = try CLI.run(
            program: "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/curl", "-s",
                "--unix-socket", daemon.socket, "-w", "\n%{http_code}", "http://localhost" + path,
            ],
            timeout: 60)
        let lines = run.out.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// A daemon folder nobody can reach: it and its parents up to /tmp become 0755.
    static func reachableFolder() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("access")
        var dir = folder.path
        while dir.hasPrefix("/tmp/") {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
            dir = (dir as NSString).deletingLastPathComponent
        }
        return folder
    }

    @Test(.enabled(if: skipReason == nil, Comment(rawValue: skipReason ?? "")))
    func aClientOutsideTheListGets403AndEveryRequestIsLoggedWithItsCredentials() throws {
        // The folder must be reachable by nobody, and the socket connectable (0666) so the
        // allow-list, not the file mode, is what refuses.
        let daemon = try RunningDaemon(
            extra: ["--socket_mode", "0666", "--allow_uids", "4242", "--log_level", "debug"],
            reusing: try Self.reachableFolder())
        defer { _ = daemon.stop() }
        let refused = try Self.asNobody(daemon, "/v1/health")
        #expect(refused.code == 403 && refused.body.contains("\"forbidden\""), "\(refused)")
        #expect(try daemon.curl(["http://localhost/v1/health"]).out.contains("ready"), "root is always let in")
        #expect(daemon.waitForLog("GET /v1/health 403 (uid 65534 gid 65534 pid "), "\(daemon.log)")
        #expect(daemon.waitForLog("GET /v1/health 200 (uid 0 gid 0 pid "), "\(daemon.log)")

        let byGroup = try RunningDaemon(extra: ["--socket_mode", "0666", "--allow_gids", "65534"], reusing: try Self.reachableFolder())
        defer { _ = byGroup.stop() }
        #expect(try Self.asNobody(byGroup, "/v1/health").code == 200, "nobody's primary group is listed")
    }
}
