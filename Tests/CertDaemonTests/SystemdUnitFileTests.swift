import CertDaemon
import CertPipeline
import CertTestSupport
import Foundation
import Testing

/// The shipped units in etc/ must pass `systemd-analyze verify` (systemd 252 on Debian 12).
@Suite struct SystemdUnitFileTests {
    static let analyze = "/usr/bin/systemd-analyze"

    /// Copies of the units with ExecStart= pointing at /bin/true: verify checks that the binary
    /// exists, and the daemon is not installed on a build machine.
    func unitsWithExistingBinary() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("units")
        let dir = directory.url
        for name in ["certssbd.service", "certssbd.socket"] {
            var text = try String(contentsOfFile: ConfigTestSupport.etc(name), encoding: .utf8)
            text = text.replacingOccurrences(of: "ExecStart=/usr/local/bin/certssbd ", with: "ExecStart=/bin/true ")
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func unitsPassSystemdAnalyzeVerify() throws {
        let units = try unitsWithExistingBinary()
        defer { withExtendedLifetime(units) {} }
        let dir = units.url
        // --man=no: Documentation= names man:certssbd(1), which install.sh installs, not the tests.
        let result = try SystemdTestSupport.run(
            Self.analyze,
            [
                "verify", "--man=no", dir.appendingPathComponent("certssbd.socket").path,
                dir.appendingPathComponent("certssbd.service").path,
            ])
        #expect(result.status == 0, "\(result.output)")
        // Warnings from host units are not ours; ours must have none.
        #expect(!result.output.contains("certssbd"), "\(result.output)")
    }

    /// On the originals the only complaint allowed is the missing /usr/local/bin/certssbd.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func originalUnitsOnlyLackTheBinary() throws {
        let result = try SystemdTestSupport.run(
            Self.analyze, ["verify", "--man=no", ConfigTestSupport.etc("certssbd.socket"), ConfigTestSupport.etc("certssbd.service")])
        let ours = result.output.split(separator: "\n").filter { $0.contains("certssbd") }
        let installed = FileManager.default.isExecutableFile(atPath: "/usr/local/bin/certssbd")
        for line in ours {
            #expect(!installed && line.contains("Command /usr/local/bin/certssbd is not executable"), "\(line)")
        }
    }

    @Test func serviceHasTheContractedSettings() throws {
        let service = try String(contentsOfFile: ConfigTestSupport.etc("certssbd.service"), encoding: .utf8)
        let lines = Set(service.split(separator: "\n").map(String.init))
        for required in [
            "Type=notify", "ExecStart=/usr/local/bin/certssbd --config /etc/certssbd/certssbd.conf",
            "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "WatchdogSec=30s",
            "StateDirectory=certssbd", "RuntimeDirectory=certssbd", "RuntimeDirectoryPreserve=yes",
            "Sockets=certssbd.socket", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
            "PrivateTmp=yes", "PrivateDevices=yes", "RestrictAddressFamilies=AF_UNIX", "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes", "ProtectControlGroups=yes", "RestrictNamespaces=yes", "LockPersonality=yes",
            "SystemCallArchitectures=native", "DynamicUser=no", "User=certssbd",
        ] {
            let present = lines.contains(required)
            #expect(present, "certssbd.service lacks \(required)")
        }
        let socket = try String(contentsOfFile: ConfigTestSupport.etc("certssbd.socket"), encoding: .utf8)
        let socketLines = Set(socket.split(separator: "\n").map(String.init))
        for required in ["ListenStream=/run/certssbd/certssbd.sock", "SocketMode=0660", "Service=certssbd.service"] {
            let present = socketLines.contains(required)
            #expect(present, "certssbd.socket lacks \(required)")
        }
        // The daemon's own fallback must bind where the socket unit listens.
        #expect(DaemonConfig().socket == "/run/certssbd/certssbd.sock")
    }
}
