extension CurvePlot {
    /// The same plot as pixels (RGB, CHW floats in [0,1]) for a PNG: frame, grid at 0.2
    /// steps, one coloured polyline per curve. No text: the SVG carries the labels.
    public static func raster(_ curves: [Curve], width: Int = 640, height: Int = 420) -> (width: Int, height: Int, pixels: [Float]) {
        var px = [Float](repeating: 1, count: 3 * width * height)
        let left = 40, right = 20, top = 20, bottom = 30
        let w = width - left - right, h = height - top - bottom
        let maxR = max(curves.flatMap(\.radii).max() ?? 1, 1e-9)
        func plot(_ x: Int, _ y: Int, _ rgb: (Float, Float, Float)) {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            px[y * width + x] = rgb.0; px[width * height + y * width + x] = rgb.1; px[2 * width * height + y * width + x] = rgb.2
        }
        func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ rgb: (Float, Float, Float), thick: Bool) {
            let steps = max(abs(x1 - x0), abs(y1 - y0), 1)
            for s in 0...steps {
                let x = x0 + (x1 - x0) * s / steps, y = y0 + (y1 - y0) * s / steps
                plot(x, y, rgb)
                if thick { plot(x + 1, y, rgb); plot(x, y + 1, rgb) }
            }
        }
        func point(_ r: Double, _ v: Double) -> (Int, Int) {
            (left + Int((r / maxR * Double(w)).rounded()), top + Int(((1 - min(max(v, 0), 1)) * Double(h)).rounded()))
        }
        let grey: (Float, Float, Float) = (0.85, 0.85, 0.85), black: (Float, Float, Float) = (0, 0, 0)
        for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
            let y = top + Int(((1 - tick) * Double(h)).rounded())
            line(left, y, left + w, y, grey, thick: false)
        }
        line(left, top, left + w, top, black, thick: false); line(left, top + h, left + w, top + h, black, thick: false)
        line(left, top, left, top + h, black, thick: false); line(left + w, top, left + w, top + h, black, thick: false)
        let colours: [(Float, Float, Float)] = [(0.12, 0.47, 0.71), (0.84, 0.15, 0.16), (0.17, 0.63, 0.17), (0.58, 0.4, 0.74)]
        for (i, c) in curves.enumerated() {
            let points = zip(c.radii, c.values).map { point($0, $1) }
            for (a, b) in zip(points, points.dropFirst()) { line(a.0, a.1, b.0, b.1, colours[i % colours.count], thick: true) }
        }
        return (width, height, px)
    }
}
