import Foundation

/// |a - b| <= tol * |b| (or <= tol when b is 0).
func relativelyClose(_ a: Double, _ b: Double, _ tol: Double) -> Bool {
    b == 0 ? abs(a) <= tol : abs(a - b) <= tol * abs(b)
}

/// n points log-spaced from 10^lo to 10^hi.
func logGrid(from lo: Double, to hi: Double, count n: Int) -> [Double] {
    (0..<n).map { i in
        let t = lo + (hi - lo) * Double(i) / Double(n - 1)
        return pow(10, t)
    }
}
