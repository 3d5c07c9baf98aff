import Foundation

/// Certified accuracy against radius, one curve per method, as a self-contained SVG.
public enum CurvePlot {
    /// One method's certified accuracy at each radius.
    public struct Curve: Sendable {
        /// The legend's name ("RAB", "Cert-SSB").
        public var name: String
        /// The x values: radii, ascending.
        public var radii: [Double]
        /// The y values in [0, 1], one per radius.
        public var values: [Double]
        /// A curve; `radii` and `values` must have the same length.
        public init(name: String, radii: [Double], values: [Double]) { self.name = name; self.radii = radii; self.values = values }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    /// An SVG of `curves` with axes, grid, radius ticks of the first curve, a legend and `title`;
    /// the x axis spans 0 to the largest radius.
    public static func svg(_ curves: [Curve], title: String, width: Int = 640, height: Int = 420) -> String {
        let left = 60.0, right = 20.0, top = 40.0, bottom = 50.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let maxR = max(curves.flatMap(\.radii).max() ?? 1, 1e-9)
        func x(_ r: Double) -> Double { left + r / maxR * w }
        func y(_ v: Double) -> Double { top + (1 - min(max(v, 0), 1)) * h }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Double(width) / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
            s += String(
                format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, y(tick), left + w, y(tick))
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", left - 6, y(tick) + 4, tick)
        }
        for r in curves.first?.radii ?? [] {
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", x(r), top + h + 18, r)
        }
        s += String(
            format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", left, top, w, h)
        s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">radius</text>\n", left + w / 2, Double(height) - 10)
        s += String(
            format: "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">certified accuracy</text>\n",
            top + h / 2, top + h / 2)
        for (i, c) in curves.enumerated() {
            let colour = palette[i % palette.count]
            let points = zip(c.radii, c.values).map { String(format: "%.1f,%.1f", x($0), y($1)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            s += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">%@</text>\n", left + w - 150, top + 18 + Double(i) * 16, colour,
                escape(c.name))
        }
        return s + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }
}
