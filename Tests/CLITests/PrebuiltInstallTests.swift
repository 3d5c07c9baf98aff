import CertCore
import CertData
import CertShape
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `scripts/bundle.sh` + `scripts/install.sh --prebuilt` on a host without the Swift toolchain:
/// under a real systemd, with the toolchain made inaccessible to the service
/// (`InaccessiblePaths=`), the installed certssbd must start, load the three plugins from
/// /usr/local/lib/certssb/plugins and certify, with the runtime from /usr/local/lib/certssb/swift.
// An extension of SystemdServiceTests, so it is serialized with the other sandbox tests: two
// sandboxes booting at once can fail to start.
extension SystemdServiceTests {
    /// The toolchain's runtime folder, the one to hide (its parent, the toolchain root).
    static let toolchainRoot: String? = {
        let swift = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map { $0 + "/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        // /opt/swift/usr/bin/swift → /opt/swift
        return swift.map {
            URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().path
        }
    }()

    static let prebuiltSkipReason: String? = {
        if getuid() != 0 { return "skipped: systemd-sandbox needs root" }
        if !FileManager.default.isExecutableFile(atPath: SystemdServiceTests.tool) {
            return "skipped: no \(SystemdServiceTests.tool) (it lives in ../shared)"
        }
        if SystemdServiceTests.daemon == nil { return "skipped: no built certssbd beside the certssb executable" }
        if toolchainRoot == nil { return "skipped: no swift on PATH" }
        return nil
    }()

    @Test(.enabled(if: prebuiltSkipReason == nil, Comment(rawValue: prebuiltSkipReason ?? "")), .timeLimit(.minutes(5)))
    func theBundleRunsWithTheToolchainHidden() throws {
        let bundle = NSTemporaryDirectory() + "certssb-bundle-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let build = (SystemdServiceTests.daemon! as NSString).deletingLastPathComponent
        let made = try CLI.run(program: Paths.packageRoot.appendingPathComponent("scripts/bundle.sh").path, [bundle, build], timeout: 300)
        try #require(made.status == 0, "\(made.summary)")
        let runtime = try FileManager.default.contentsOfDirectory(atPath: bundle + "/swift")
        #expect(runtime.contains("libswiftCore.so") && runtime.contains("libFoundation.so"), "\(runtime)")

        let sandbox = try SystemdSandbox()
        defer {
            let down = sandbox.down()
            #expect(down?.status ?? 0 == 0, "\(down?.output ?? "")")
        }
        let up = try sandbox.up(binds: [(Paths.packageRoot.path, Paths.packageRoot.path), (bundle, bundle)])
        try #require(up.status == 0, "\(up.output)")
        // Hide the toolchain from the service before its first start (socket activation).
        let hide =
            "mkdir -p /etc/systemd/system/certssbd.service.d && printf '[Service]\\nInaccessiblePaths=\(Self.toolchainRoot!)\\n' > /etc/systemd/system/certssbd.service.d/no-toolchain.conf"
        let install = try sandbox.inside(
            "/bin/sh", "-c", hide + " && " + Paths.packageRoot.appendingPathComponent("scripts/install.sh").path + " --prebuilt " + bundle)
        try #require(install.status == 0 && install.output.contains("certssbd.socket is listening"), "\(install.output)")
        #expect(try sandbox.value("systemctl", "show", "-p", "InaccessiblePaths", "certssbd.service").contains(Self.toolchainRoot!))

        // Before the service ever ran, the socket is already root:certssbd 0660 (SocketUser=,
        // SocketGroup=), so group members can connect from the first moment.
        #expect(try sandbox.value("stat", "-c", "%U:%G %a", "/run/certssbd/certssbd.sock") == "root:certssbd 660")
        let health = try sandbox.curl(["--max-time", "150", "http://localhost/v1/health"])
        #expect(health.out.contains("ready"), "\(health) \(sandbox.journal())")
        let png = try PNGEncoder.encode(
            DecodedImage(
                shape: ImageShape(channels: 1, height: 28, width: 28),
                pixels: (0..<784).map { Float(($0 * 13) % 256) / 255 }))
        try Data(png).write(to: URL(fileURLWithPath: sandbox.share + "/digit.png"))
        let upload = try sandbox.curl(["--max-time", "240", "--data-binary", "@\(sandbox.share)/digit.png", "http://localhost/v1/certify"])
        let verdict = try #require(SystemdServiceTests.object(upload.out), "\(upload) \(sandbox.journal())")
        #expect(verdict["sha256"] as? String == Checksum.sha256Hex(png))
        let plugins = (verdict["triggers"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(plugins == ["blending", "fourpixel", "onepixel"], "\(String(describing: plugins)) \(sandbox.journal())")
        // The inbox certssbd made: group-writable and setgid, so group members can drop files.
        let inbox = try sandbox.value("stat", "-c", "%G %a", "/var/lib/certssbd/inbox")
        #expect(inbox == "certssbd 2770", "\(inbox)")
        // The service's process maps its runtime from the install, not from the toolchain.
        let pid = try sandbox.value("systemctl", "show", "-p", "MainPID", "--value", "certssbd.service")
        let maps = try sandbox.inside("/bin/sh", "-c", "grep -h libswiftCore /proc/\(pid)/maps | head -1")
        #expect(maps.output.contains("/usr/local/lib/certssb/swift/libswiftCore.so"), "\(maps.output)")
    }
}
