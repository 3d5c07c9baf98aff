import CertEval
import Foundation
import Testing

@Suite struct CurvePlotSVGTests {
    static let svg = CurvePlot.svg(PlotFixture.series, title: PlotFixture.title)

    /// The elements of one class, as their full tags (and text, for `<text>`).
    static func elements(_ svg: String, class name: String) -> [String] {
        svg.components(separatedBy: "\n").filter { $0.contains("class=\"\(name)\"") }
    }

    static func attribute(_ name: String, of tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    static func text(of tag: String) -> String {
        guard let open = tag.firstIndex(of: ">"), let close = tag.range(of: "</text>") else { return "" }
        return String(tag[tag.index(after: open)..<close.lowerBound])
    }

    @Test func hasTitleAxesTicksLabelsAndLegend() {
        let svg = Self.svg
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
        #expect(Self.elements(svg, class: "title").map(Self.text) == PlotFixture.title)
        #expect(Self.elements(svg, class: "axis").count == 1)
        #expect(Set(Self.elements(svg, class: "axis-label").map(Self.text)) == ["L2 radius r", "certified accuracy"])
        let legendTexts = Self.elements(svg, class: "legend").filter { $0.hasPrefix("<text") }.map(Self.text)
        #expect(legendTexts == PlotFixture.names)
        #expect(Self.elements(svg, class: "legend").filter { $0.hasPrefix("<line") }.count == 4)
        // Numeric tick labels: 0.0 … 1.0 on y, round radii from 0 past 0.45 on x.
        let ticks = Self.elements(svg, class: "tick-label").map(Self.text)
        #expect(ticks.allSatisfy { Double($0) != nil }, "\(ticks)")
        for y in ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"] { #expect(ticks.contains(y)) }
        #expect(ticks.contains("0.0") && ticks.compactMap(Double.init).max()! >= 0.45)
        #expect(Self.elements(svg, class: "tick").count == ticks.count)
    }

    /// Every curve is a staircase: each segment horizontal or vertical, never a slope, and it
    /// drops once at each knot within the axis.
    @Test func curvesStep() throws {
        let curves = Self.elements(Self.svg, class: "curve")
        #expect(curves.count == 4)
        for (tag, series) in zip(curves, PlotFixture.series) {
            #expect(Self.attribute("data-name", of: tag) == series.curve.name)
            let points = try #require(Self.attribute("points", of: tag)).split(separator: " ").map { pair in
                pair.split(separator: ",").map { Double($0)! }
            }
            var vertical = 0
            for (a, b) in zip(points, points.dropFirst()) {
                #expect(a[0] == b[0] || a[1] == b[1], "diagonal segment \(a) → \(b) in \(series.curve.name)")
                #expect(b[0] >= a[0], "the curve goes back in r")
                if a[0] == b[0] { vertical += 1; #expect(b[1] > a[1], "certified accuracy rises at a knot") }
            }
            #expect(vertical == series.curve.knots.count - 1)
        }
        // Watermarked curves are dashed, benign ones solid.
        #expect(curves.map { Self.attribute("stroke-dasharray", of: $0) != nil } == [false, false, true, true])
        #expect(Set(curves.map { Self.attribute("stroke", of: $0)! }).count == 2)
    }

    /// A title line too long for the page wraps at its separators, nothing lost.
    @Test func longTitleLinesWrap() {
        let long = "N_m = 72 (asked for 1000; 64 certify), sigma0 = 1.25, bound clopper-pearson (alpha 0.001)"
        let lines = Self.elements(CurvePlot.svg(PlotFixture.series, title: ["t", long]), class: "title").map(Self.text)
        #expect(lines == ["t", "N_m = 72 (asked for 1000; 64 certify), sigma0 = 1.25,", "bound clopper-pearson (alpha 0.001)"])
        #expect(
            Self.elements(CurvePlot.svg(PlotFixture.series, title: ["t", long]), class: "title").allSatisfy {
                $0.contains("font-size=\"20\"")
            })
    }

    @Test func textIsEscaped() {
        let s = CurvePlot.series(StepCurve(name: "a<b & \"c\"", knots: [0], values: [1]), method: 0, watermarked: false)
        let svg = CurvePlot.svg([s], title: ["<t>"])
        #expect(svg.contains("a&lt;b &amp; &quot;c&quot;") && svg.contains("&lt;t&gt;") && !svg.contains("<t>"))
    }
}
