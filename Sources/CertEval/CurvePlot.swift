import Foundation

/// Certified accuracy against radius: step curves, axes with ticks and labels, a legend and
/// a title, laid out once as a `Chart` and written as SVG or drawn as pixels for a PNG.
public enum CurvePlot {
    /// A curve and how it is drawn.
    public struct Series: Sendable {
        /// The data (and the legend's name).
        public var curve: StepCurve
        /// The line's colour.
        public var colour: Chart.Colour
        /// The line's width in pixels.
        public var width: Double
        /// Dash on/off lengths in pixels; empty for a solid line.
        public var dash: [Double]
        /// A series from its curve and style.
        public init(curve: StepCurve, colour: Chart.Colour, width: Double, dash: [Double]) {
            self.curve = curve; self.colour = colour; self.width = width; self.dash = dash
        }
    }

    /// One colour per method (RAB blue, Cert-SSB red, then green and purple).
    public static let methodColours = [
        Chart.Colour(31, 119, 180), Chart.Colour(214, 39, 40), Chart.Colour(44, 160, 44), Chart.Colour(148, 103, 189),
    ]

    /// The evaluation's style: colour by method, dashed for the watermarked set. The first
    /// method's line is wider, so where two curves coincide both stay visible.
    public static func series(_ curve: StepCurve, method: Int, watermarked: Bool) -> Series {
        let first = method == 0
        return Series(
            curve: curve, colour: methodColours[method % methodColours.count], width: first ? 5 : 2.5,
            dash: watermarked ? (first ? [14, 7] : [7, 7]) : [])
    }

    /// `series` as an SVG document (see `chart`).
    public static func svg(_ series: [Series], title: [String], width: Int = 1000, height: Int = 720) -> String {
        chart(series, title: title, width: width, height: height).svg()
    }

    /// `series` as pixels for a PNG (see `chart`).
    public static func raster(_ series: [Series], title: [String], width: Int = 1000, height: Int = 720) -> RasterImage {
        chart(series, title: title, width: width, height: height).raster()
    }

    /// The figure: `title` lines centred at the top (the first in black), the curves over
    /// [0, a round radius past the largest knot] × [0, 1] with grid, ticks and tick labels,
    /// the axis labels, and a legend of every series below the x label.
    public static func chart(
        _ series: [Series], title: [String], xLabel: String = "L2 radius r", yLabel: String = "certified accuracy",
        width: Int = 1000, height: Int = 720
    ) -> Chart {
        let k = 2, cap = Double(BitmapFont.capHeight * k), descent = Double(BitmapFont.descent * k), side = 30.0
        let W = Double(width), H = Double(height)
        func textWidth(_ s: String, _ size: Int = k) -> Double { Double(BitmapFont.width(of: s) * size) }
        var marks: [Chart.Mark] = [.rect(Chart.Rect(x: 0, y: 0, width: W, height: H), fill: .white, stroke: nil, role: .background)]

        // Title lines: one too long for the page is wrapped (a word too long is set at half size).
        var baseline = 20 + cap
        for (i, given) in title.enumerated() {
            for line in wrap(given, columns: Int(W - 2 * side) / (BitmapFont.advance * k)) {
                let size = textWidth(line) <= W - 2 * side ? k : 1
                marks.append(
                    .text(
                        line, at: Chart.Point(W / 2, baseline), size: size, anchor: .middle, vertical: false,
                        colour: i == 0 ? .black : .darkGrey, role: .title))
                baseline += cap + 12
            }
        }
        let top = baseline + 10

        // The legend's grid: two columns when they fit, else one.
        let sample = 44.0, pad = 16.0, gap = 40.0, rowHeight = cap + 14
        let entry = (series.map { textWidth($0.curve.name) }.max() ?? 0) + sample + 14
        let columns = series.count > 1 && 2 * entry + gap + 2 * pad <= W - 2 * side ? 2 : 1
        let rows = (series.count + columns - 1) / columns
        let legendSize = (width: Double(columns) * entry + Double(columns - 1) * gap + 2 * pad, height: Double(rows) * rowHeight + 12)
        let bottom = H - 14 - legendSize.height - 78

        let xTicks = AxisTicks(covering: series.map(\.curve.lastKnot).max() ?? 0)
        let yTicks = (0...5).map { Double($0) * 0.2 }
        let yLabelX = side + cap
        let left = yLabelX + descent + 14 + textWidth("0.0") + 14, right = W - side - 10
        let plot = Chart.Rect(x: left, y: top, width: right - left, height: bottom - top)
        func x(_ r: Double) -> Double { left + r / xTicks.upper * plot.width }
        // 3% of room above 1 and below 0, so full and empty curves are not hidden by the axis.
        func y(_ v: Double) -> Double { top + (1.03 - v) / 1.06 * plot.height }

        for t in xTicks.values {
            marks.append(
                .polyline(
                    points: [Chart.Point(x(t), top), Chart.Point(x(t), bottom)], colour: .lightGrey, width: 1, dash: [], role: .grid,
                    name: nil))
            marks.append(
                .polyline(
                    points: [Chart.Point(x(t), bottom), Chart.Point(x(t), bottom + 8)], colour: .black, width: 2, dash: [], role: .tick,
                    name: nil))
            marks.append(
                .text(
                    xTicks.label(t), at: Chart.Point(x(t), bottom + 14 + cap), size: k, anchor: .middle, vertical: false, colour: .black,
                    role: .tickLabel))
        }
        for t in yTicks {
            marks.append(
                .polyline(
                    points: [Chart.Point(left, y(t)), Chart.Point(right, y(t))], colour: .lightGrey, width: 1, dash: [], role: .grid,
                    name: nil))
            marks.append(
                .polyline(
                    points: [Chart.Point(left - 8, y(t)), Chart.Point(left, y(t))], colour: .black, width: 2, dash: [], role: .tick,
                    name: nil))
            marks.append(
                .text(
                    String(format: "%.1f", t), at: Chart.Point(left - 14, y(t) + cap / 2), size: k, anchor: .end, vertical: false,
                    colour: .black, role: .tickLabel))
        }
        marks.append(
            .text(
                xLabel, at: Chart.Point(left + plot.width / 2, bottom + 44 + 2 * cap), size: k, anchor: .middle, vertical: false,
                colour: .black, role: .axisLabel))
        marks.append(
            .text(
                yLabel, at: Chart.Point(yLabelX, top + plot.height / 2), size: k, anchor: .middle, vertical: true, colour: .black,
                role: .axisLabel))

        for s in series {
            marks.append(
                .polyline(
                    points: steps(s.curve, upTo: xTicks.upper).map { Chart.Point(x($0.r), y($0.v)) },
                    colour: s.colour, width: s.width, dash: s.dash, role: .curve, name: s.curve.name))
        }

        // The axes over the curves, which start on the y axis.
        marks.append(
            .polyline(
                points: [Chart.Point(left, top), Chart.Point(left, bottom), Chart.Point(right, bottom)], colour: .black, width: 2, dash: [],
                role: .axis, name: nil))

        let legend = Chart.Rect(x: (W - legendSize.width) / 2, y: bottom + 78, width: legendSize.width, height: legendSize.height)
        marks.append(.rect(legend, fill: .white, stroke: Chart.Colour(160, 160, 160), role: .legend))
        for (i, s) in series.enumerated() {
            let x0 = legend.x + pad + Double(i % columns) * (entry + gap), mid = legend.y + 6 + (Double(i / columns) + 0.5) * rowHeight
            marks.append(
                .polyline(
                    points: [Chart.Point(x0, mid), Chart.Point(x0 + sample, mid)], colour: s.colour, width: s.width, dash: s.dash,
                    role: .legend, name: s.curve.name))
            marks.append(
                .text(
                    s.curve.name, at: Chart.Point(x0 + sample + 14, mid + cap / 2), size: k, anchor: .start, vertical: false,
                    colour: .black, role: .legend))
        }
        return Chart(width: width, height: height, marks: marks, plotFrame: plot, legendFrame: legend)
    }

    /// `text` in lines of at most `columns` characters: broken after the last ", " or "; "
    /// outside parentheses that fits, else at the last space that fits.
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = [], rest = Array(text)
        while rest.count > columns {
            var depth = 0, clause: Int?, space: Int?
            for i in 0..<min(rest.count - 1, columns + 1) {
                switch rest[i] {
                case "(": depth += 1
                case ")": depth -= 1
                case " ": if i > 0 { space = i }
                case ",", ";": if depth == 0, rest[i + 1] == " ", i < columns { clause = i + 1 }
                default: break
                }
            }
            // The line ends before the space; the next one starts after it.
            guard let end = clause ?? space else { break }
            lines.append(String(rest[..<end]))
            rest = Array(rest[(end + 1)...])
        }
        return lines + [String(rest)]
    }

    /// The corners of `curve` as a staircase from r = 0 to `upper`: horizontal runs and
    /// vertical drops only, a drop at each knot (the value right of it belongs to it).
    static func steps(_ curve: StepCurve, upTo upper: Double) -> [(r: Double, v: Double)] {
        var points = [(r: 0.0, v: curve.values[0])]
        for (knot, value) in zip(curve.knots, curve.values).dropFirst() where knot <= upper {
            points.append((knot, points[points.count - 1].v))
            points.append((knot, value))
        }
        points.append((upper, points[points.count - 1].v))
        return points
    }
}
