extension Chart {
    /// The chart as pixels: the same marks as `svg()`, lines with square brushes (no
    /// anti-aliasing: every line here is horizontal or vertical) and text in `BitmapFont`.
    public func raster() -> RasterImage {
        var image = RasterImage(width: width, height: height)
        for mark in marks {
            switch mark {
            case let .rect(r, fill, stroke, _):
                if let fill { Self.fill(&image, x: r.x, y: r.y, width: r.width, height: r.height, fill) }
                if let stroke {
                    let corners = [
                        Point(r.x, r.y), Point(r.x + r.width, r.y), Point(r.x + r.width, r.y + r.height), Point(r.x, r.y + r.height),
                        Point(r.x, r.y),
                    ]
                    Self.stroke(&image, corners, colour: stroke, width: 1, dash: [])
                }
            case let .polyline(points, colour, width, dash, _, _):
                Self.stroke(&image, points, colour: colour, width: width, dash: dash)
            case let .text(text, at, size, anchor, vertical, colour, _):
                Self.draw(&image, text, at: at, size: size, anchor: anchor, vertical: vertical, colour: colour)
            }
        }
        return image
    }

    static func fill(_ image: inout RasterImage, x: Double, y: Double, width: Double, height: Double, _ colour: Colour) {
        let x0 = Int(x.rounded()), y0 = Int(y.rounded()), x1 = Int((x + width).rounded()), y1 = Int((y + height).rounded())
        for py in max(y0, 0)..<min(max(y1, y0), image.height) {
            for px in max(x0, 0)..<min(max(x1, x0), image.width) { image.set(x: px, y: py, colour) }
        }
    }

    /// A square brush of `width` pixels stamped every half pixel along the segments; the
    /// dash pattern runs on across corners, as in SVG.
    static func stroke(_ image: inout RasterImage, _ points: [Point], colour: Colour, width: Double, dash: [Double]) {
        let brush = max(1, Int(width.rounded())), period = dash.reduce(0, +)
        var travelled = 0.0
        func on(_ distance: Double) -> Bool {
            guard period > 0 else { return true }
            var d = distance.truncatingRemainder(dividingBy: period)
            for (i, length) in dash.enumerated() {
                if d < length { return i % 2 == 0 }
                d -= length
            }
            return true
        }
        for (a, b) in zip(points, points.dropFirst()) {
            let dx = b.x - a.x, dy = b.y - a.y, length = (dx * dx + dy * dy).squareRoot()
            let steps = max(1, Int((length * 2).rounded(.up)))
            for j in 0...steps {
                let t = Double(j) / Double(steps)
                guard on(travelled + t * length) else { continue }
                // The brush is centred on the point: its top-left is half a width back.
                let px = Int((a.x + t * dx - Double(brush) / 2).rounded()), py = Int((a.y + t * dy - Double(brush) / 2).rounded())
                for oy in 0..<brush { for ox in 0..<brush { image.set(x: px + ox, y: py + oy, colour) } }
            }
            travelled += length
        }
    }

    /// `text` on the baseline through `at`; vertical text runs upwards, its glyphs' tops
    /// facing left.
    static func draw(_ image: inout RasterImage, _ text: String, at: Point, size: Int, anchor: Anchor, vertical: Bool, colour: Colour) {
        let run = Double(BitmapFont.width(of: text) * size)
        let start = anchor == .start ? 0 : anchor == .middle ? -run / 2 : -run
        let ox = Int(at.x.rounded()), oy = Int(at.y.rounded()), shift = Int(start.rounded())
        for (i, character) in text.enumerated() {
            for (column, row) in BitmapFont.pixels(of: character) {
                // (u, v): along the text from its start, and down from the baseline.
                let u = shift + (i * BitmapFont.advance + column) * size, v = (row - BitmapFont.capHeight) * size
                for a in 0..<size {
                    for b in 0..<size {
                        if vertical {
                            image.set(x: ox + v + b, y: oy - u - a - 1, colour)
                        } else {
                            image.set(x: ox + u + a, y: oy + v + b, colour)
                        }
                    }
                }
            }
        }
    }
}
