import CertData
import CertEval
import CertShape
import Testing

/// The PNG: through CertData's libpng encoder and back through its decoder.
@Suite struct CurvePlotPNGTests {
    static let chart = CurvePlot.chart(PlotFixture.series, title: PlotFixture.title)

    static func decoded() throws -> DecodedImage {
        let image = chart.raster()
        let bytes = try PNGEncoder.encode(
            DecodedImage(shape: ImageShape(channels: 3, height: image.height, width: image.width), pixels: image.planarFloats))
        return try ImageDecoder.decode(bytes, source: "plot.png")
    }

    /// The colour at (x, y) of a decoded CHW image.
    static func colour(_ image: DecodedImage, _ x: Int, _ y: Int) -> Chart.Colour {
        let plane = image.shape.height * image.shape.width, i = y * image.shape.width + x
        func c(_ k: Int) -> UInt8 { UInt8((image.pixels[k * plane + i] * 255).rounded()) }
        return Chart.Colour(c(0), c(1), c(2))
    }

    static func count(_ image: DecodedImage, in r: Chart.Rect, where test: (Chart.Colour) -> Bool) -> Int {
        var n = 0
        for y in Int(r.y)..<Int(r.y + r.height) { for x in Int(r.x)..<Int(r.x + r.width) where test(colour(image, x, y)) { n += 1 } }
        return n
    }

    @Test func decodesAtItsSizeAndRoundTrips() throws {
        let image = try Self.decoded()
        #expect(image.shape == ImageShape(channels: 3, height: 720, width: 1000))
        #expect(image.pixels == Self.chart.raster().planarFloats)
    }

    @Test func legendAxesTitleAndCurvesAreDrawn() throws {
        let image = try Self.decoded(), plot = Self.chart.plotFrame, legend = Self.chart.legendFrame
        // The legend holds both methods' colours and black text.
        for colour in CurvePlot.methodColours.prefix(2) {
            #expect(Self.count(image, in: legend) { $0 == colour } > 100, "legend lacks \(colour.hex)")
        }
        #expect(Self.count(image, in: legend) { $0 == .black } > 500)
        // The axes: a black column at the left edge and a black row at the bottom of the plot.
        let left = Int(plot.x.rounded()), bottom = Int((plot.y + plot.height).rounded())
        #expect((Int(plot.y) + 2..<bottom - 2).allSatisfy { Self.colour(image, left, $0) == .black })
        #expect((left + 2..<Int(plot.x + plot.width) - 2).allSatisfy { Self.colour(image, $0, bottom) == .black })
        // Tick labels under the x axis, left of the y axis; the title above the plot.
        #expect(
            Self.count(image, in: Chart.Rect(x: plot.x - 20, y: plot.y + plot.height + 10, width: plot.width + 40, height: 30)) {
                $0 == .black
            } > 200)
        #expect(
            Self.count(image, in: Chart.Rect(x: plot.x - 60, y: plot.y - 10, width: 50, height: plot.height + 20)) { $0 == .black } > 200)
        #expect(Self.count(image, in: Chart.Rect(x: 0, y: 0, width: 1000, height: plot.y - 4)) { $0 == .black } > 300)
        // Both colours inside the data area.
        for colour in CurvePlot.methodColours.prefix(2) {
            #expect(Self.count(image, in: plot) { $0 == colour } > 1000)
        }
    }

    @Test func everyCharacterOfTheLabelsHasAGlyph() {
        let used = (PlotFixture.names + PlotFixture.title + ["L2 radius r", "certified accuracy", "0123456789.-"]).joined()
        #expect(used.allSatisfy(BitmapFont.hasGlyph))
        let alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-+=()[]/_%'\"*<>#?!|&@~ "
        #expect(alphabet.allSatisfy(BitmapFont.hasGlyph))
        for c in alphabet {
            #expect(
                BitmapFont.pixels(of: c).allSatisfy {
                    $0.column < BitmapFont.glyphWidth && $0.row < BitmapFont.capHeight + BitmapFont.descent
                })
        }
        #expect(BitmapFont.pixels(of: "σ").count == 20 && !BitmapFont.hasGlyph("σ"))
    }
}
