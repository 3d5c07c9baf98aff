import CSystemd
import CertDaemon
import CertPipeline
import CertTestSupport
import Foundation
import Glibc
import Testing

/// Serialized: these tests set NOTIFY_SOCKET, LISTEN_*, WATCHDOG_*. They change the environment
/// through `ProcessEnvironment.with`, so no child spawned meanwhile inherits it.
@Suite(.serialized) struct SystemdTests {
    typealias Support = SystemdTestSupport

    @Test func notifySendsEachStateToNotifySocket() throws {
        let path = Support.socketPath("notify")
        let fd = try Support.boundUnixSocket(type: Int32(SOCK_DGRAM.rawValue), path: path)
        defer { close(fd); unlink(path) }

        ProcessEnvironment.with(["NOTIFY_SOCKET": path]) {
            #expect(SystemdNotifier.ready(status: "loaded 1000 models"))
            #expect(Support.receive(fd) == "READY=1\nSTATUS=loaded 1000 models")
            #expect(SystemdNotifier.status("certified 5\nimages"))
            #expect(Support.receive(fd) == "STATUS=certified 5 images")
            #expect(SystemdNotifier.reloading())
            #expect(Support.receive(fd) == "RELOADING=1")
            #expect(SystemdNotifier.ready())
            #expect(Support.receive(fd) == "READY=1")
            #expect(SystemdNotifier.watchdog())
            #expect(Support.receive(fd) == "WATCHDOG=1")
            #expect(SystemdNotifier.extendTimeout(by: .seconds(90)))
            #expect(Support.receive(fd) == "EXTEND_TIMEOUT_USEC=90000000")
            #expect(SystemdNotifier.stopping())
            #expect(Support.receive(fd) == "STOPPING=1")
            // The variable stays set: later pings must still reach the manager.
            #expect(getenv("NOTIFY_SOCKET") != nil)
        }
    }

    @Test func notifyIsANoOpWithoutNotifySocket() {
        ProcessEnvironment.with(["NOTIFY_SOCKET": nil]) {
            #expect(SystemdNotifier.ready(status: "x") == false)
            #expect(SystemdNotifier.watchdog() == false)
        }
    }

    @Test func watchdogIntervalComesFromWatchdogUsec() {
        ProcessEnvironment.with(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"]) {
            #expect(SystemdNotifier.watchdogInterval == .seconds(30))
        }
        // Meant for another process (e.g. inherited from a parent): not ours to ping.
        ProcessEnvironment.with(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) {
            #expect(SystemdNotifier.watchdogInterval == nil)
        }
        ProcessEnvironment.with(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) {
            #expect(SystemdNotifier.watchdogInterval == nil)
        }
    }

    /// sd_listen_fds looks at fd 3 of the calling process, and in this one fd 3 is an event
    /// loop's epoll that other threads wait on: borrowing it even briefly can break them. So
    /// socket activation is checked in a child, this test binary again, started as systemd
    /// would start certssbd (the socket at fd 3, LISTEN_FDS, LISTEN_PID) and running the probe.
    static func probeSocketActivation(_ socket: Int32, listenPID: String = "$$") throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let folder = try TemporaryDirectory("activation")
        var environment = ProcessEnvironment.current
        environment["CERTSSB_SOCKET_ACTIVATION_PROBE"] = "1"
        environment["LISTEN_FDS"] = "1"
        environment["LISTEN_FDNAMES"] = "certssbd.socket"
        // exec keeps the shell's pid, so $$ is the pid the probe will have.
        let child = try SpawnedProcess(
            "/bin/sh",
            [
                "-c", "LISTEN_PID=\(listenPID) exec \"$0\" \"$@\"", executable,
                "--testing-library", "swift-testing", "--filter", "socketActivationProbe",
            ], stdout: folder.file("stdout"), stderr: folder.file("stderr"), environment: environment, descriptors: [3: socket])
        child.wait(timeout: Wait.defaultTimeout)
        let output = (try? String(contentsOfFile: folder.file("stdout"), encoding: .utf8)) ?? ""
        return output.split(separator: "\n").first { $0.hasPrefix("PROBE ") }.map(String.init)
            ?? "no probe line (exit \(child.code)): \(output)"
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["CERTSSB_SOCKET_ACTIVATION_PROBE"] != nil,
            "skipped: runs only as the child of the socket-activation tests"))
    func socketActivationProbe() {
        let first = SocketActivation.listeningSockets()
        let cleared = getenv("LISTEN_FDS") == nil
        let second = SocketActivation.listeningSockets()
        print("PROBE first=\(first) cleared=\(cleared) second=\(second)")
    }

    /// A real listening socket at fd 3 with LISTEN_FDS=1, as systemd passes it.
    @Test func socketActivationFindsTheListeningSocketAtFd3() throws {
        let path = Support.socketPath("listen")
        let listener = try Support.boundUnixSocket(type: Int32(SOCK_STREAM.rawValue), path: path)
        defer { close(listener); unlink(path) }
        #expect(listen(listener, 4) == 0)
        // sd_listen_fds(1) clears the variables, so a second call (or a child) sees none.
        #expect(try Self.probeSocketActivation(listener) == "PROBE first=[3] cleared=true second=[]")
        #expect(
            try Self.probeSocketActivation(listener, listenPID: "1").hasPrefix("PROBE first=[] "),
            "fds meant for another process")
    }

    @Test func socketActivationRejectsADatagramSocket() throws {
        let path = Support.socketPath("dgram")
        let datagram = try Support.boundUnixSocket(type: Int32(SOCK_DGRAM.rawValue), path: path)
        defer { close(datagram); unlink(path) }
        #expect(try Self.probeSocketActivation(datagram).hasPrefix("PROBE first=[] "))
    }

    @Test func socketActivationWithoutListenFds() {
        ProcessEnvironment.with(["LISTEN_PID": nil, "LISTEN_FDS": nil]) {
            #expect(SocketActivation.listeningSockets() == [])
        }
    }

    @Test func loggerWritesPrefixedLinesToAStream() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let logger = JournalLogger(threshold: .info, destination: .stream(fd: fds[1]))
        #expect(logger.usesJournal == false)
        logger.log(.info, "certified", fields: ["sha256": "ab12", "source": "inbox/a b.png"])
        logger.log(.debug, "dropped below the threshold")
        logger.error("two\nlines")
        logger.log(.warning, "empty", fields: ["note": ""])
        close(fds[1])
        let output = String(decoding: FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(
            output == """
                <6>certified sha256=ab12 source="inbox/a b.png"
                <3>two
                <3>lines
                <4>empty note=""

                """)
    }

    @Test func priorityThresholds() {
        let logger = JournalLogger(threshold: .notice, destination: .stream(fd: -1))
        #expect(logger.isEnabled(.emerg))
        #expect(logger.isEnabled(.notice))
        #expect(!logger.isEnabled(.info))
        #expect(JournalLogger.Priority.allCases.map(\.rawValue) == Array(0...7))
        var config = DaemonConfig()
        config.logLevel = .error
        #expect(config.logThreshold == .err)
        config.logLevel = .warning
        #expect(config.logThreshold == .warning)
    }

    @Test func journalFieldNames() {
        #expect(JournalLogger.journalFieldName("sha256") == "CERTSSB_SHA256")
        #expect(JournalLogger.journalFieldName("model-set") == "CERTSSB_MODEL_SET")
        #expect(JournalLogger.journalFieldName("CERTSSB_SHA256") == "CERTSSB_SHA256")
    }

    /// JOURNAL_STREAM is "dev:ino" of the stream systemd connected; it only counts while stderr
    /// is still that stream.
    @Test func journalStreamDetection() {
        var st = stat()
        guard fstat(2, &st) == 0 else { return }
        #expect(JournalLogger.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]))
        #expect(!JournalLogger.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino &+ 1)"]))
        #expect(!JournalLogger.stderrIsJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(!JournalLogger.stderrIsJournal(environment: [:]))
    }
}
