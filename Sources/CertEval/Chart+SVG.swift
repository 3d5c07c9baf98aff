import Foundation

extension Chart {
    /// The chart as a self-contained SVG document. Every element carries its role as `class`
    /// (`title`, `axis`, `tick`, `tick-label`, `axis-label`, `grid`, `curve`, `legend`), a
    /// curve its name as `data-name`. Text is monospace at the bitmap font's metrics, so the
    /// layout's widths hold in both outputs.
    public func svg() -> String {
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\""
            + " font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\">\n"
        for mark in marks {
            switch mark {
            case let .rect(r, fill, stroke, role):
                s +=
                    "<rect class=\"\(role.rawValue)\" x=\"\(Self.num(r.x))\" y=\"\(Self.num(r.y))\" width=\"\(Self.num(r.width))\" height=\"\(Self.num(r.height))\""
                    + " fill=\"\(fill?.hex ?? "none")\"" + (stroke.map { " stroke=\"\($0.hex)\"" } ?? "") + "/>\n"
            case let .polyline(points, colour, width, dash, role, name):
                let common =
                    " class=\"\(role.rawValue)\"" + (name.map { " data-name=\"\(Self.escape($0))\"" } ?? "")
                    + " fill=\"none\" stroke=\"\(colour.hex)\" stroke-width=\"\(Self.num(width))\""
                    + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash.map(Self.num).joined(separator: " "))\"")
                if points.count == 2 {
                    s +=
                        "<line\(common) x1=\"\(Self.num(points[0].x))\" y1=\"\(Self.num(points[0].y))\" x2=\"\(Self.num(points[1].x))\" y2=\"\(Self.num(points[1].y))\"/>\n"
                } else {
                    s +=
                        "<polyline\(common) stroke-linejoin=\"miter\" points=\""
                        + points.map { "\(Self.num($0.x)),\(Self.num($0.y))" }.joined(separator: " ") + "\"/>\n"
                }
            case let .text(text, at, size, anchor, vertical, colour, role):
                let (x, y) = (Self.num(at.x), Self.num(at.y))
                // 10 px of font size per font pixel: a cap height of about 7, an advance of 6.
                s +=
                    "<text class=\"\(role.rawValue)\" x=\"\(x)\" y=\"\(y)\" font-size=\"\(10 * size)\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(colour.hex)\""
                    + (vertical ? " transform=\"rotate(-90 \(x) \(y))\"" : "") + ">\(Self.escape(text))</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    static func num(_ v: Double) -> String {
        let rounded = (v * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
