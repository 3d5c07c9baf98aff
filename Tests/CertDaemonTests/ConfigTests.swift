import CertDaemon
import CertMath
import CertPipeline
import CertSigma
import Certify
import Foundation
import Testing

@Suite struct ConfigTests {
    /// Parses `text` and returns the error's text, or nil when it parsed.
    func parseError(_ text: String) -> String? {
        do {
            _ = try ConfigParser.parse(text, path: "certssbd.conf")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func shippedConfigGivesTheDefaults() throws {
        let config = try ConfigParser.load(path: ConfigTestSupport.etc("certssbd.conf"))
        #expect(config == DaemonConfig())
    }

    /// Uncommenting every "#key = value" of the shipped file must still give the defaults, so the
    /// documentation can't drift from the code, and every key must be documented.
    @Test func shippedConfigDocumentsEveryKeyAtItsDefault() throws {
        let text = try String(contentsOfFile: ConfigTestSupport.etc("certssbd.conf"), encoding: .utf8)
        var seen: [String] = []
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { return String(line) }
            let key = line.dropFirst()[..<equals].trimmingCharacters(in: .whitespaces)
            guard DaemonConfig.keyNames.contains(key) else { return String(line) }
            seen.append(key)
            return String(line.dropFirst())
        }.joined(separator: "\n")
        #expect(seen == DaemonConfig.keyNames)
        #expect(try ConfigParser.parse(uncommented, path: "certssbd.conf") == DaemonConfig())
    }

    @Test func defaults() {
        let config = DaemonConfig()
        #expect(config.modelSet == "/usr/share/certssb/model/mnist/onepixel/sigma1.25")
        #expect(config.pluginDir == "")
        #expect(config.databaseDirectory(kindDigest: "0123456789abcdef0123") == "/var/lib/certssbd/db/0123456789abcdef")
        #expect(config.socketMode == 0o660)
        #expect(config.maxUploadBytes == 16 * 1024 * 1024)
        #expect(config.effectiveWorkers >= 1)
        #expect(config.logThreshold == .info)
    }

    @Test func fullConfig() throws {
        let text = """
            # every key set
            model_set = "/srv/models/cifar/blending/sigma0.5"
            plugin_dir = /opt/certssb/plugins   # trailing comment
            state_dir = /srv/certssbd
            watch_dir = ""

            socket = /run/x/c.sock
            socket_mode = 0600
            workers = 12
            batch_window_ms = 0
            max_batch = 128
            sigma_rule = released
            sigma_steps = 850
            sigma_draws = 1
            alpha = 0.01
            bound = clopper-pearson
            mode = released
            trigger_reports = no
            max_upload_bytes = 4MiB
            max_pixels = 1_000_000
            max_queue = 16
            read_timeout_ms = 5000
            log_level = debug
            """
        let config = try ConfigParser.parse(text, path: "certssbd.conf")
        var expected = DaemonConfig()
        expected.modelSet = "/srv/models/cifar/blending/sigma0.5"
        expected.pluginDir = "/opt/certssb/plugins"
        expected.stateDir = "/srv/certssbd"
        expected.watchDir = ""
        expected.socket = "/run/x/c.sock"
        expected.socketMode = 0o600
        expected.workers = 12
        expected.batchWindowMs = 0
        expected.maxBatch = 128
        expected.sigmaRule = .released
        expected.sigmaSteps = 850
        expected.sigmaDraws = 1
        expected.alpha = 0.01
        expected.bound = .clopperPearson
        expected.mode = .released
        expected.triggerReports = false
        expected.maxUploadBytes = 4 << 20
        expected.maxPixels = 1_000_000
        expected.maxQueue = 16
        expected.readTimeoutMs = 5000
        expected.logLevel = .debug
        #expect(config == expected)
        #expect(config.databaseDirectory(kindDigest: "fedcba9876543210ff") == "/srv/certssbd/db/fedcba9876543210")
        #expect(config.effectiveWorkers == 12)
        // Rendering and parsing again loses nothing.
        #expect(try ConfigParser.parse(config.rendered, path: "x") == config)
    }

    @Test func quotedValues() throws {
        let config = try ConfigParser.parse(#"model_set = "/a b/#c \"d\" \\e"  # note"#, path: "c")
        #expect(config.modelSet == #"/a b/#c "d" \e"#)
        #expect(parseError(#"model_set = "/open"#)?.contains("missing closing quote") == true)
        #expect(parseError(#"model_set = "/a" junk"#)?.contains("after the closing quote") == true)
    }

    @Test func unknownKeyNamesLineAndSuggestion() {
        let text = (1...11).map { "# comment \($0)" }.joined(separator: "\n") + "\nmodle_set = /m\n"
        #expect(parseError(text) == "certssbd.conf:12: unknown key 'modle_set' (did you mean 'model_set'?)")
        #expect(parseError("frobnicate = 1") == "certssbd.conf:1: unknown key 'frobnicate'")
    }

    @Test func badValues() {
        #expect(parseError("\nworkers = -1") == "certssbd.conf:2: workers: must be at least 0, got -1")
        #expect(parseError("workers = many") == "certssbd.conf:1: workers: 'many' is not an integer")
        #expect(parseError("socket_mode = 0680") == "certssbd.conf:1: socket_mode: '0680' is not an octal mode such as 0660")
        #expect(parseError("socket_mode = rw") != nil)
        #expect(parseError("socket_mode = 01777") == "certssbd.conf:1: socket_mode: '01777' has bits beyond 0777")
        #expect(
            parseError("sigma_rule = gradeint")
                == "certssbd.conf:1: sigma_rule: 'gradeint' is not one of fixed, search, grid, gradient, released (did you mean 'gradient'?)"
        )
        #expect(parseError("alpha = 1.5") == "certssbd.conf:1: alpha: must be in (0, 1), got 1.5")
        #expect(parseError("bound = wilson")?.hasPrefix("certssbd.conf:1: bound: 'wilson' is not one of") == true)
        #expect(parseError("log_level = loud") != nil)
        #expect(parseError("trigger_reports = maybe") == "certssbd.conf:1: trigger_reports: 'maybe' is not yes or no")
        #expect(parseError("max_upload_bytes = 3T") != nil)
        #expect(parseError("max_batch = 0") != nil)
        #expect(parseError("state_dir = \"\"") == "certssbd.conf:1: state_dir: must not be empty")
        #expect(parseError("socket = /" + String(repeating: "s", count: 120)) != nil)
        #expect(parseError("just words") == "certssbd.conf:1: expected 'key = value', got 'just words'")
        #expect(parseError("workers = 1\nworkers = 2") == "certssbd.conf:2: 'workers' is already set on line 1")
    }

    @Test func windowsLineEndingsAndSizes() throws {
        let config = try ConfigParser.parse("max_upload_bytes = 512K\r\nworkers = 3\r\n", path: "c")
        #expect(config.maxUploadBytes == 512 * 1024)
        #expect(config.workers == 3)
    }

    @Test func overrides() throws {
        let config = try DaemonConfig().applying(overrides: [
            "--workers": "4", "log-level": "debug", "max_batch": "8", "--watch-dir": "",
        ])
        #expect(config.workers == 4)
        #expect(config.logLevel == .debug)
        #expect(config.maxBatch == 8)
        #expect(config.watchDir == "")
        #expect(try DaemonConfig().applying(overrides: [:]) == DaemonConfig())

        func overrideError(_ overrides: [String: String]) -> String? {
            do { _ = try DaemonConfig().applying(overrides: overrides); return nil } catch { return "\(error)" }
        }
        #expect(overrideError(["--workers": "-2"]) == "--workers: must be at least 0, got -2")
        #expect(overrideError(["--socket-mode": "999"]) == "--socket-mode: '999' is not an octal mode such as 0660")
        #expect(overrideError(["--modle-set": "/m"]) == "--modle-set: unknown option (did you mean '--model-set'?)")
    }

    @Test func loadReportsAnUnreadableFile() {
        #expect(throws: ConfigError(.unreadable(path: "/nonexistent/certssbd.conf"), "cannot read: No such file or directory")) {
            try ConfigParser.load(path: "/nonexistent/certssbd.conf")
        }
    }

    @Test func editDistanceSuggestionsStayClose() {
        #expect(parseError("max_que = 1")?.contains("did you mean 'max_queue'") == true)
        #expect(parseError("xyz = 1")?.contains("did you mean") == false)
    }
}
