import CertCore
import CertData
import CertEval
import CertShape
import Certify
import Foundation

extension EvaluationRun {
    /// The four record sets the tables and the plot are made of.
    struct Records {
        var rabBenign: [EvalRecord]
        var rabWatermarked: [EvalRecord]
        var ssbBenign: [EvalRecord]
        var ssbWatermarked: [EvalRecord]
    }

    /// `--plot`: certified accuracy against radius as exact step curves (every radius where a
    /// verdict changes the count), RAB and Cert-SSB on the benign and the watermarked inputs,
    /// titled with the model set, N_m, sigma0 and the bound; SVG or PNG by the extension.
    func writePlot(_ records: Records, roles: ModelRoles, to path: String) throws {
        let curves = [
            StepCurve.certifiedAccuracy(records.rabBenign, name: "RAB, benign: cert acc"),
            StepCurve.certifiedAccuracy(records.ssbBenign, name: "\(ssbName), benign: cert acc"),
            StepCurve.certifiedAccuracy(records.rabWatermarked, name: "RAB, watermarked: cert wm acc"),
            StepCurve.certifiedAccuracy(records.ssbWatermarked, name: "\(ssbName), watermarked: cert wm acc"),
        ]
        let series = curves.enumerated().map { CurvePlot.series($1, method: $0 % 2, watermarked: $0 >= 2) }
        let models =
            modelsAsked.map { "N_m = \(set.count) (asked for \($0); \(roles.certify.count) certify)" }
            ?? "N_m = \(set.count) (\(roles.certify.count) certify)"
        let title = [
            "Certified accuracy vs L2 radius: \(set.manifest.name) (id \(set.id.prefix(8)))",
            "\(models), sigma0 = \(set.manifest.sigma0), bound \(c.certificate.bound.rawValue) (alpha \(c.certificate.alpha))",
            "\(test.count) \(c.dataset) test inputs; watermarked set: \(trigger.name), delta \(c.delta)",
        ]
        do {
            if path.hasSuffix(".svg") {
                try CurvePlot.svg(series, title: title).write(toFile: path, atomically: true, encoding: .utf8)
            } else {
                let image = CurvePlot.raster(series, title: title)
                let shape = ImageShape(channels: 3, height: image.height, width: image.width)
                try Data(PNGEncoder.encode(DecodedImage(shape: shape, pixels: image.planarFloats))).write(to: URL(fileURLWithPath: path))
            }
        } catch { throw CLIFailure("cannot write the plot \(path): \(error)") }
    }
}
