import CertData
import CertTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite(
    "CLI: certify on real MNIST digits with the authors' models", .blockingWork,
    .enabled(if: Paths.sharedAvailable, Paths.sharedSkipReason))
struct CertifyTests {
    /// Runs certify on every fixture image with extra options; requires exit 0 or 1.
    private func certifyAll(_ options: [String], fixture: MNISTFixture, paths: [String]? = nil) throws -> (RunResult, [VerdictLine]) {
        let files = paths ?? fixture.allImages.map(\.path)
        let run = try CLI.run(["certify", "--model-set", fixture.modelSet] + options + files)
        try #require(run.exited(0) || run.exited(1), "\(run.summary)")
        #expect(run.stderrLines.isEmpty, "\(run.summary)")
        let verdicts = run.verdicts()
        try #require(verdicts.count == files.count, "\(run.summary)")
        #expect(verdicts.map(\.source) == files, "verdicts come back in input order")
        // clamdscan's convention: 0 all certified, 1 some not.
        let allCertified = verdicts.allSatisfy(\.certified)
        #expect(run.status == (allCertified ? 0 : 1), "exit \(run.status), certified flags \(verdicts.map(\.certified))")
        return (run, verdicts)
    }

    @Test("triggers: every shipped plugin, its L2 size from METHOD.md §2.2 on the image's own pixels; --no-triggers leaves them out")
    func triggerReports() throws {
        let fixture = try MNISTFixture.get()
        let images = Array(fixture.allImages.prefix(4))
        let (_, verdicts) = try certifyAll([], fixture: fixture, paths: images.map(\.path))
        let csv = try MNISTCSV.load(path: Paths.mnistCSV.path)
        for (v, image) in zip(verdicts, images) {
            #expect(v.triggers.map(\.name) == ["blending", "fourpixel", "onepixel"], "\(v.brief)")
            // Independent sizes: onepixel raises (23,23) by 1 clipped at 1; fourpixel raises four
            // pixels by 1/2 each, clipped; blending adds a pattern of L2 norm 1 (float32).
            let x = csv.images[image.row].pixels
            let one = Double(min(x[23 * 28 + 23] + 1, 1) - x[23 * 28 + 23])
            let four = [(18, 20), (19, 19), (20, 18), (20, 20)].map { r, c -> Double in
                let p = x[r * 28 + c]
                return Double(min(p + 0.5, 1) - p) * Double(min(p + 0.5, 1) - p)
            }.reduce(0, +).squareRoot()
            let sizes = Dictionary(uniqueKeysWithValues: v.triggers.map { ($0.name, $0.l2) })
            #expect(abs((sizes["onepixel"] ?? -1) - one) <= 1e-6, "onepixel \(sizes) vs \(one)")
            #expect(abs((sizes["fourpixel"] ?? -1) - four) <= 1e-6, "fourpixel \(sizes) vs \(four)")
            #expect(abs((sizes["blending"] ?? -1) - 1) <= 1e-6, "blending \(sizes)")
            for t in v.triggers { #expect(t.covered == (v.radius > t.l2) && (t.label == 0 || t.label == 1), "\(v.brief)") }
        }
        let (_, bare) = try certifyAll(["--no-triggers"], fixture: fixture, paths: images.map(\.path))
        #expect(bare.allSatisfy { $0.triggers.isEmpty })
        #expect(bare.map(\.radius) == verdicts.map(\.radius), "the reports do not change the verdicts")
    }

    /// The defaults (search sigma, Clopper–Pearson, sigma0 as the second candidate): the
    /// label is the search models', n_models counts the 12 certifying models, and a verdict at
    /// a searched sigma other than sigma0 used alpha/2.
    @Test("default verdicts: search sigma, clopper-pearson, the fixed label, alpha/2 with two candidate sigmas")
    func defaultVerdicts() throws {
        let fixture = try MNISTFixture.get()
        let (_, verdicts) = try certifyAll([], fixture: fixture)
        for (v, image) in zip(verdicts, fixture.allImages) {
            let ctx = Comment(rawValue: v.brief)
            expectCoherent(v, sha256: nil)
            #expect(v.bound == "clopper-pearson" && v.sigma_search.rule == "search", ctx)
            // The budgeted search on 16 models: 10% is 1 run, so the 48-run floor: all 4 search
            // models × up to 12 sigmas × 1 draw, fewer sigmas where it stops early.
            #expect(v.sigma_search.models == 4 && v.sigma_search.model_runs <= 48 && v.sigma_search.model_runs % 4 == 0, ctx)
            #expect(v.bound_alpha == (v.sigma_search.sigma == 0.12 ? 0.001 : 0.0005), ctx)
            #expect(v.sigma >= 0.12 && v.sigma <= 0.96 + 1e-12, ctx)
            if v.certified && (image.label == 0 || image.label == 1) { #expect(v.label == image.label, ctx) }
        }
    }

    @Test("sound Hoeffding verdicts at sigma0: every CONTRACTS.md §3 field, sane values, file hashes, labels of clean 0/1 digits")
    func soundVerdicts() throws {
        let fixture = try MNISTFixture.get()
        let images = fixture.allImages
        let (run, verdicts) = try certifyAll(["--bound", "hoeffding", "--sigma-rule", "fixed"], fixture: fixture)
        let hashes = try CLI.sha256sum(images.map(\.path))
        let logits = try CLI.run(["logits", "--model-set", fixture.modelSet, images[0].path])
        let modelSetID = (try? JSONSerialization.jsonObject(with: Data(logits.out.utf8)) as? [String: Any])?["model_set"] as? String

        let h = ReferenceMath.hoeffding(n: 12, alpha: 0.001)
        for (v, image) in zip(verdicts, images) {
            let ctx = Comment(rawValue: "row \(image.row) (digit \(image.label)): \(v.brief)")
            expectCoherent(v, sha256: hashes[image.path])
            #expect(hashes[image.path] != nil)
            #expect(v.model_set == modelSetID, ctx)
            #expect(v.mode == "sound", ctx)
            #expect(v.bound == "hoeffding", ctx)
            #expect(v.sigma == 0.12 && v.bound_alpha == 0.001 && !v.fallback, ctx)
            #expect(abs(v.p_a + v.p_b - 1) <= 1e-12, "binary task: p_a + p_b = 1; \(ctx)")
            #expect(abs(v.p_a_lower - max(1e-8, v.p_a - h)) <= 1e-12, ctx)
            #expect(abs(v.p_b_upper - min(1 - 1e-8, v.p_b + h)) <= 1e-12, ctx)
            let marginExpected =
                0.5
                * (ReferenceMath.phiInverse(ReferenceMath.clamp(v.p_a))
                    - ReferenceMath.phiInverse(ReferenceMath.clamp(v.p_b)))
            #expect(abs(v.radius_expected - v.sigma * marginExpected) <= 1e-9, ctx)
            #expect(v.radius_expected >= v.radius, ctx)
            #expect(v.certified == (v.radius > 0), ctx)
            if image.label == 0 || image.label == 1 {
                #expect(v.label == image.label, "clean digit \(image.label) at row \(image.row) got label \(v.label)")
            }
        }
        // The reference rows are confidently classified: their expected radius is positive.
        for v in verdicts.prefix(fixture.referenceImages.count) { #expect(v.radius_expected > 0, "\(v.source)") }
        print("certify: exit \(run.status); certified \(verdicts.filter(\.certified).count) of \(verdicts.count)")
    }

    @Test("stdout is byte-identical for --workers 1, --workers 2 with --batch-size 3 or 1, apart from created_at")
    func determinism() throws {
        let fixture = try MNISTFixture.get()
        let (one, _) = try certifyAll(["--workers", "1"], fixture: fixture)
        let (two, _) = try certifyAll(["--workers", "2", "--batch-size", "3"], fixture: fixture)
        let (single, _) = try certifyAll(["--workers", "2", "--batch-size", "1"], fixture: fixture)
        #expect(one.stdoutWithoutCreatedAt.contains("created_at") == false)
        let sameAsTwo = one.stdoutWithoutCreatedAt == two.stdoutWithoutCreatedAt
        let sameAsSingle = one.stdoutWithoutCreatedAt == single.stdoutWithoutCreatedAt
        #expect(sameAsTwo, "stdout of --workers 1 and --workers 2 --batch-size 3 differ (bytes)")
        #expect(sameAsSingle, "stdout of --workers 1 and --workers 2 --batch-size 1 differ (bytes)")
        expectSameLines(one.linesWithoutCreatedAt, two.linesWithoutCreatedAt, "--workers 1 vs --workers 2 --batch-size 3")
        expectSameLines(one.linesWithoutCreatedAt, single.linesWithoutCreatedAt, "--workers 1 vs --workers 2 --batch-size 1")
        #expect(one.status == two.status && one.status == single.status)
    }

    @Test("a file's verdict does not depend on its batch neighbours or position")
    func batchComposition() throws {
        let fixture = try MNISTFixture.get()
        let paths = fixture.allImages.map(\.path)
        let (all, _) = try certifyAll(["--workers", "2", "--batch-size", "5"], fixture: fixture)
        let (reversed, _) = try certifyAll(["--workers", "1", "--batch-size", "4"], fixture: fixture, paths: paths.reversed())
        let a = all.linesWithoutCreatedAt
        expectSameLines(a, reversed.linesWithoutCreatedAt.reversed(), "input order reversed (lines compared per file)")
        // Alone, one file gets the same line as in company.
        let (alone, _) = try certifyAll([], fixture: fixture, paths: [paths[5]])
        expectSameLines(alone.linesWithoutCreatedAt, [a[5]], "a file alone vs in a batch of \(paths.count)")
    }

    @Test("--compat released says mode \"released\" on every line")
    func releasedMode() throws {
        let fixture = try MNISTFixture.get()
        let (_, verdicts) = try certifyAll(["--compat", "released"], fixture: fixture)
        for v in verdicts {
            expectCoherent(v, sha256: nil)
            #expect(v.mode == "released", "\(v.source)")
        }
        let (_, sound) = try certifyAll(["--compat", "sound"], fixture: fixture)
        #expect(sound.allSatisfy { $0.mode == "sound" })
    }

    @Test("--bound clopper-pearson: exact binomial bound on hard votes")
    func clopperPearson() throws {
        let fixture = try MNISTFixture.get()
        let (_, verdicts) = try certifyAll(["--bound", "clopper-pearson", "--sigma-rule", "fixed"], fixture: fixture)
        for v in verdicts {
            let ctx = Comment(rawValue: v.brief)
            expectCoherent(v, sha256: nil)
            #expect(v.bound == "clopper-pearson", ctx)
            // p_a is a vote share k/12 (12 certifying models).
            let k = v.p_a * 12
            #expect(abs(k - k.rounded()) <= 1e-9, ctx)
            #expect(abs(v.p_b_upper - ReferenceMath.clamp(1 - v.p_a_lower)) <= 1e-12, ctx)
            // All 12 votes agree: the one-sided lower bound solves x^12 = alpha.
            if k.rounded() == 12 {
                #expect(abs(v.p_a_lower - pow(0.001, 1.0 / 12)) <= 1e-9, ctx)
            }
        }
    }

    @Test("--bound best: the better of Hoeffding and Clopper–Pearson, each at alpha/2")
    func best() throws {
        let fixture = try MNISTFixture.get()
        let fixed = ["--sigma-rule", "fixed"]
        let (_, best) = try certifyAll(["--bound", "best"] + fixed, fixture: fixture)
        let (_, hoeffding) = try certifyAll(["--bound", "hoeffding", "--alpha", "0.0005"] + fixed, fixture: fixture)
        let (_, cp) = try certifyAll(["--bound", "clopper-pearson", "--alpha", "0.0005"] + fixed, fixture: fixture)
        for ((b, h), c) in zip(zip(best, hoeffding), cp) {
            let ctx = Comment(rawValue: b.brief)
            expectCoherent(b, sha256: nil)
            #expect(b.bound == "hoeffding" || b.bound == "clopper-pearson", ctx)
            #expect(
                abs(b.radius - max(h.radius, c.radius)) <= 1e-12,
                "best \(b.radius) vs hoeffding(alpha/2) \(h.radius), clopper-pearson(alpha/2) \(c.radius); \(ctx)")
            let winner = b.bound == "hoeffding" ? h : c
            #expect(abs(b.p_a_lower - winner.p_a_lower) <= 1e-12, ctx)
            #expect(b.label == winner.label, ctx)
            if b.bound == "hoeffding" {
                #expect(abs(b.p_a_lower - max(1e-8, b.p_a - ReferenceMath.hoeffding(n: 12, alpha: 0.0005))) <= 1e-12, ctx)
            }
        }
    }

    @Test("a larger alpha never gives a smaller radius")
    func alphaMonotone() throws {
        let fixture = try MNISTFixture.get()
        // At sigma0: the search's objective depends on alpha, so its sigma may move with it.
        let (_, strict) = try certifyAll(["--alpha", "0.001", "--sigma-rule", "fixed"], fixture: fixture)
        let (_, loose) = try certifyAll(["--alpha", "0.1", "--sigma-rule", "fixed"], fixture: fixture)
        for (s, l) in zip(strict, loose) {
            expectCoherent(l, sha256: s.sha256, alpha: 0.1)
            #expect(l.radius >= s.radius, "\(s.source): alpha 0.1 radius \(l.radius) < alpha 0.001 radius \(s.radius)")
        }
    }
}
