import CertMath
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a Python snippet that has scipy: the first of `python3` (on PATH) and
/// `/usr/bin/python3` whose `import scipy` works. Input goes to stdin as JSON, the snippet
/// prints one JSON value; output goes through temporary files (no pipe can fill up).
/// Doubles cross as strings, both ways, so no bit is lost in a JSON number parser:
/// Swift's round-trip description in (Python's float() parses it exactly), float.hex() out.
enum ScipyPython {
    static let missing = "no python3 with scipy: run scripts/install-deps.sh (installs python3-scipy)"

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// (executable, leading arguments) of the interpreter, or nil.
    static let interpreter: (String, [String])? = {
        for candidate in [("/usr/bin/env", ["python3"]), ("/usr/bin/python3", [])]
        where FileManager.default.isExecutableFile(atPath: candidate.0) {
            if let run = try? ScipyPython.run(candidate, arguments: ["-c", "import scipy"], input: Data(), timeout: 60),
                run.status == 0
            {
                return candidate
            }
        }
        return nil
    }()

    /// The snippet's stdout parsed as JSON.
    static func json(_ script: String, input: Any) throws -> Any {
        guard let interpreter else { throw Failure(description: missing) }
        let data = try JSONSerialization.data(withJSONObject: input)
        let result = try run(interpreter, arguments: ["-c", script], input: data, timeout: 300)
        guard result.status == 0 else {
            throw Failure(description: "python exited \(result.status): \(String(decoding: result.stderr, as: UTF8.self).prefix(4000))")
        }
        return try JSONSerialization.jsonObject(with: result.stdout)
    }

    /// A double from Python's float.hex() (or any string Double(_:) reads), nil otherwise.
    static func double(_ value: Any) -> Double? {
        (value as? String).flatMap { Double($0) }
    }

    static func doubles(_ value: Any?) -> [Double]? {
        guard let list = value as? [Any] else { return nil }
        let result = list.compactMap(double)
        return result.count == list.count ? result : nil
    }

    static func string(_ x: Double) -> String { "\(x)" }

    private static func run(
        _ interpreter: (String, [String]), arguments: [String], input: Data,
        timeout: TimeInterval
    ) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let fm = FileManager.default
        let directory = try TemporaryDirectory("scipy")
        defer { directory.remove() }
        let scratch = directory.url
        let inURL = scratch.appendingPathComponent("stdin")
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        try input.write(to: inURL)
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? inHandle.close(); try? outHandle.close(); try? errHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter.0)
        process.arguments = interpreter.1 + arguments
        process.standardInput = inHandle
        process.standardOutput = outHandle
        process.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try ProcessEnvironment.withShared { try process.run() }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if done.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                done.wait()
            }
            throw Failure(description: "python timed out after \(timeout) s")
        }
        process.waitUntilExit()
        return (
            process.terminationStatus, (try? Data(contentsOf: outURL)) ?? Data(),
            (try? Data(contentsOf: errURL)) ?? Data()
        )
    }
}

/// Sources/CertMath against scipy (and, for the betting bound, against an independent
/// pure-Python implementation of the method documented in BettingBound.swift).
@Suite(.blockingWork) struct ScipyReferenceTests {
    /// Fails (never skips) when no interpreter has scipy.
    private func reference(_ script: String, _ input: Any) -> Any? {
        do {
            return try ScipyPython.json(script, input: input)
        } catch {
            Issue.record("\(error)")
            return nil
        }
    }

    @Test func clopperPearsonMatchesBetaPPF() throws {
        var cases: [(k: Int, n: Int, alpha: Double)] = []
        for n in [1, 16, 64, 72, 1000] {
            let ks = Set([0, 1, n / 4, n / 2, n - 1, n].filter { $0 >= 0 && $0 <= n }).sorted()
            for k in ks {
                for alpha in [0.001, 0.05, 0.0005] { cases.append((k, n, alpha)) }
            }
        }
        let script = """
            import sys, json
            from scipy.stats import beta
            out = []
            for k, n, a in json.load(sys.stdin):
                a = float(a)
                lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
                hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
                out.append([lo.hex(), hi.hex()])
            print(json.dumps(out))
            """
        let input = cases.map { [$0.k, $0.n, ScipyPython.string($0.alpha)] as [Any] }
        guard let rows = reference(script, input) as? [Any] else { return }
        let got = rows.compactMap(ScipyPython.doubles)
        #expect(got.count == cases.count && got.allSatisfy { $0.count == 2 })
        #expect(got.count == cases.count)
        for (c, ref) in zip(cases, got) {
            let lo = ClopperPearson.lower(successes: c.k, trials: c.n, alpha: c.alpha)
            let hi = ClopperPearson.upper(successes: c.k, trials: c.n, alpha: c.alpha)
            #expect(relativelyClose(lo, ref[0], 1e-10), "lower k=\(c.k) n=\(c.n) alpha=\(c.alpha): \(lo) vs scipy \(ref[0])")
            // scipy's ppf at 1 - alpha carries alpha's rounding in 1 - alpha (~1e-16 absolute).
            #expect(abs(hi - ref[1]) <= 1e-10, "upper k=\(c.k) n=\(c.n) alpha=\(c.alpha): \(hi) vs scipy \(ref[1])")
        }
    }

    @Test func normalQuantileMatchesNormPPF() throws {
        let ps: [Double] = [
            1e-300, 1e-12, 1e-8, 1e-6, 0.0005, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7,
            0.95, 0.975, 0.98, 0.999, 1 - 1e-6, 1 - 1e-8,
        ]
        let script = """
            import sys, json
            from scipy.stats import norm
            print(json.dumps([float(norm.ppf(float(p))).hex() for p in json.load(sys.stdin)]))
            """
        guard let got = ScipyPython.doubles(reference(script, ps.map(ScipyPython.string))) else { return }
        #expect(got.count == ps.count)
        for (p, ref) in zip(ps, got) {
            #expect(relativelyClose(Normal.quantile(p), ref, 1e-12), "p=\(p): \(Normal.quantile(p)) vs scipy \(ref)")
        }
        // The design's check value, from scipy too.
        if let i = ps.firstIndex(of: 0.98) { #expect(abs(got[i] - 2.0537489) < 1e-7) }
    }

    @Test func hoeffdingMatchesFormula() throws {
        let cases: [(n: Int, alpha: Double)] = [1, 16, 64, 72, 1000, 100_000].flatMap { n in
            [0.001, 0.05, 0.0005, 1e-9].map { (n, $0) }
        }
        let script = """
            import sys, json, math
            print(json.dumps([math.sqrt(math.log(1 / float(a)) / (2 * n)).hex() for n, a in json.load(sys.stdin)]))
            """
        let input = cases.map { [$0.n, ScipyPython.string($0.alpha)] as [Any] }
        guard let got = ScipyPython.doubles(reference(script, input)) else { return }
        #expect(got.count == cases.count)
        for (c, ref) in zip(cases, got) {
            #expect(relativelyClose(Hoeffding.margin(n: c.n, alpha: c.alpha), ref, 1e-14), "n=\(c.n) alpha=\(c.alpha)")
        }
    }

    /// The method of BettingBound.swift in plain Python, written differently: every grid
    /// point evaluated eagerly for the whole sequence, ln K as a sum of log1p, no frontier,
    /// no galloping search, no blocks. Same bets, grid, threshold margin and rounding rule.
    static let bettingScript = """
        import sys, json, math

        def lower_path(xs, alpha, c, G, margin):
            log_inv = -math.log(alpha)
            bets, s, sq, var_prev = [], 0.0, 0.0, 0.25
            for t, x in enumerate(xs, 1):
                bets.append(math.sqrt(2 * log_inv / (var_prev * t * math.log1p(t))))
                s += x
                mu = (0.5 + s) / (t + 1)
                sq += (x - mu) * (x - mu)
                var_prev = (0.25 + sq) / (t + 1)
            n = len(xs)
            # first[t] = largest grid index whose capital first reaches the threshold at time t
            first = [0] * (n + 1)
            for j in range(1, G):
                sn = math.sin(j * (math.pi / (2 * G)))
                m = sn * sn
                cap = c / m
                lk = 0.0
                for t in range(n):
                    lk += math.log1p(min(bets[t], cap) * (xs[t] - m))
                    if lk >= log_inv + margin:
                        first[t + 1] = max(first[t + 1], j)
                        break
            out, best = [], 0
            for t in range(1, n + 1):
                best = max(best, first[t])
                sn = math.sin(best * (math.pi / (2 * G)))
                out.append((sn * sn).hex())
            return out

        req = json.load(sys.stdin)
        G, margin = req["G"], float(req["margin"])
        paths = [lower_path([float(x) for x in r["xs"]], float(r["alpha"]), float(r["c"]), G, margin) for r in req["runs"]]
        print(json.dumps(paths))
        """

    @Test func bettingMatchesIndependentPython() throws {
        var rng = BettingTestRNG(seed: 977)
        let runs: [(xs: [Double], alpha: Double, c: Double)] = [
            ((0..<60).map { _ in rng.bernoulli(0.5) }, 0.05, 0.75),
            ((0..<100).map { _ in rng.beta(9, 1) }, 0.001, 0.75),
            ((0..<72).map { _ in rng.beta(19, 1) }, 0.001, 0.5),
            ((0..<80).map { _ in rng.beta(2, 5) }, 0.01, 0.9),
            ((0..<150).map { _ in rng.bernoulli(0.97) }, 0.0005, 0.75),
            (Array(repeating: 0.999, count: 64), 0.001, 0.75),
        ]
        let input: [String: Any] = [
            "G": BettingBound.gridCells, "margin": ScipyPython.string(BettingBound.logMargin),
            "runs": runs.map { run in
                [
                    "xs": run.xs.map(ScipyPython.string), "alpha": ScipyPython.string(run.alpha),
                    "c": ScipyPython.string(run.c),
                ] as [String: Any]
            },
        ]
        guard let rows = reference(Self.bettingScript, input) as? [Any] else { return }
        let got = rows.compactMap(ScipyPython.doubles)
        #expect(got.count == runs.count)
        var equal = 0, compared = 0
        for (run, ref) in zip(runs, got) {
            #expect(ref.count == run.xs.count)
            var bound = BettingLowerBound(alpha: run.alpha, truncation: run.c)
            for (t, x) in run.xs.enumerated() where t < ref.count {
                bound.observe(x)
                compared += 1
                if bound.lower == ref[t] { equal += 1; continue }
                // Only a tie at the threshold (ln K within rounding of it) may differ: one cell.
                let tolerance = BettingGrid.spacing(at: max(bound.lower, ref[t])) * 1.01
                #expect(
                    abs(bound.lower - ref[t]) <= tolerance,
                    "alpha=\(run.alpha) c=\(run.c) t=\(t + 1): Swift \(bound.lower), Python \(ref[t])")
            }
        }
        #expect(equal >= compared - 2, "only \(equal) of \(compared) bounds agree to the bit")
    }
}
