import CertEval

/// The evaluation's four curves on made-up records: RAB and Cert-SSB, benign and watermarked.
enum PlotFixture {
    static func records(_ radii: [Double], correct: Int) -> [EvalRecord] {
        radii.enumerated().map { i, r in EvalRecord(label: i < correct ? 1 : 0, expected: 1, radius: r, radiusExpected: r, sigma: 0.5) }
    }

    static let names = [
        "RAB, benign: cert acc", "Cert-SSB, benign: cert acc", "RAB, watermarked: cert wm acc", "Cert-SSB, watermarked: cert wm acc",
    ]

    static var series: [CurvePlot.Series] {
        let curves = [
            StepCurve.certifiedAccuracy(records([0.31, 0.2, 0.2, 0.093, 0.05, 0.4, 0.12, 0.0], correct: 7), name: names[0]),
            StepCurve.certifiedAccuracy(records([0.45, 0.42, 0.3, 0.3, 0.28, 0.1, 0.2, 0.05], correct: 8), name: names[1]),
            StepCurve.certifiedAccuracy(records([0.15, 0.01, -1, -1], correct: 2), name: names[2]),
            StepCurve.certifiedAccuracy(records([0.02, -1, -1, -1], correct: 1), name: names[3]),
        ]
        return curves.enumerated().map { CurvePlot.series($1, method: $0 % 2, watermarked: $0 >= 2) }
    }

    static let title = [
        "Certified accuracy vs L2 radius: test-set-n16", "N_m = 16 (12 certify), sigma0 = 0.5, bound clopper-pearson (alpha 0.001)",
    ]
}
