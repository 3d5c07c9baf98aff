/// A laid-out figure as marks in pixel coordinates (y down), drawn the same way as SVG
/// (`svg()`) and as pixels (`raster()`), so the two outputs cannot disagree.
public struct Chart: Sendable {
    /// An sRGB colour.
    public struct Colour: Sendable, Equatable {
        /// Red, 0…255.
        public var r: UInt8
        /// Green, 0…255.
        public var g: UInt8
        /// Blue, 0…255.
        public var b: UInt8
        /// A colour from its components.
        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
        /// `#rrggbb`.
        public var hex: String { "#" + [r, g, b].map { String($0, radix: 16).leftPadded(2) }.joined() }

        /// The page.
        public static let white = Colour(255, 255, 255)
        /// Axes and text.
        public static let black = Colour(0, 0, 0)
        /// Secondary text.
        public static let darkGrey = Colour(70, 70, 70)
        /// Grid lines.
        public static let lightGrey = Colour(225, 225, 225)
    }

    /// A point in pixels.
    public struct Point: Sendable, Equatable {
        /// Pixels from the left.
        public var x: Double
        /// Pixels from the top.
        public var y: Double
        /// A point from its coordinates.
        public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    }

    /// An axis-aligned rectangle in pixels.
    public struct Rect: Sendable, Equatable {
        /// Left edge.
        public var x: Double
        /// Top edge.
        public var y: Double
        /// Width.
        public var width: Double
        /// Height.
        public var height: Double
        /// A rectangle from its top-left corner and size.
        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
    }

    /// Where a text's position is along its run.
    public enum Anchor: String, Sendable {
        /// The text starts there.
        case start
        /// The text is centred there.
        case middle
        /// The text ends there.
        case end
    }

    /// What a mark is part of: the SVG's `class`, and what tests look for.
    public enum Role: String, Sendable {
        /// The page.
        case background
        /// The title lines.
        case title
        /// Grid lines at the ticks.
        case grid
        /// The x and y axes.
        case axis
        /// Tick marks.
        case tick
        /// Numbers at the ticks.
        case tickLabel = "tick-label"
        /// "L2 radius r", "certified accuracy".
        case axisLabel = "axis-label"
        /// A data curve.
        case curve
        /// The legend's box, samples and names.
        case legend
    }

    /// One thing drawn.
    public enum Mark: Sendable {
        /// A line through `points`; `dash` is on/off lengths in pixels (empty: solid).
        case polyline(points: [Point], colour: Colour, width: Double, dash: [Double], role: Role, name: String?)
        /// Text on a baseline at `at` in the bitmap font at `size` pixels per font pixel;
        /// `vertical` runs it upwards (rotated −90°).
        case text(String, at: Point, size: Int, anchor: Anchor, vertical: Bool, colour: Colour, role: Role)
        /// A filled and/or outlined rectangle.
        case rect(Rect, fill: Colour?, stroke: Colour?, role: Role)
    }

    /// Canvas width in pixels.
    public var width: Int
    /// Canvas height in pixels.
    public var height: Int
    /// Everything drawn, in painting order.
    public var marks: [Mark]
    /// The data area (inside the axes).
    public var plotFrame: Rect
    /// The legend's box.
    public var legendFrame: Rect
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
