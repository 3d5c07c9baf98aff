/// A 5×7 bitmap font (digits, both cases of letters, ASCII punctuation) for text in the PNG,
/// which has no font renderer: the glyph table is certssb's own (`BitmapFont+Glyphs.swift`).
public enum BitmapFont {
    /// Glyph columns.
    public static let glyphWidth = 5
    /// Glyph rows from the top to the baseline (descenders go below).
    public static let capHeight = 7
    /// Rows below the baseline that descenders may use.
    public static let descent = 2
    /// Horizontal advance per character in font pixels (glyph plus one blank column).
    public static let advance = 6

    /// Lit font pixels of `character` as (column, row), row 0 at the top and row 6 on the
    /// baseline; a character without a glyph is a hollow box, a space is empty.
    public static func pixels(of character: Character) -> [(column: Int, row: Int)] {
        if character == " " { return [] }
        if let lit = glyphs[character] { return lit }
        // A box says "missing glyph" without pretending to be another character.
        return (0..<glyphWidth).flatMap { c in (0..<capHeight).map { (c, $0) } }
            .filter { $0.0 == 0 || $0.0 == glyphWidth - 1 || $0.1 == 0 || $0.1 == capHeight - 1 }
    }

    /// Whether `character` has a glyph of its own (a space counts).
    public static func hasGlyph(_ character: Character) -> Bool { character == " " || glyphs[character] != nil }

    /// Width in font pixels of `text` set in one line (no trailing gap).
    public static func width(of text: String) -> Int { text.isEmpty ? 0 : text.count * advance - 1 }

    static let glyphs: [Character: [(column: Int, row: Int)]] = {
        var table: [Character: [(column: Int, row: Int)]] = [:]
        for line in glyphArt.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let key = fields.first?.first, fields.count >= 2 else { continue }
            var lit: [(column: Int, row: Int)] = []
            for (row, bits) in fields.dropFirst().enumerated() {
                for (column, bit) in bits.enumerated() where bit == "#" { lit.append((column, row)) }
            }
            table[key] = lit
        }
        return table
    }()
}
