/// The proven lower bound behind the region index's screen: when it says a stored region is out
/// of reach, the exact distance the rule would compute (`RegionIndex.exactDistance`, float64 in a
/// fixed order) is at least fl(R + R_j), so the rule would not have counted it. Nothing is ever
/// screened out that the brute-force rule would see; survivors get the exact distance.
///
/// Notation: u = 2⁻²⁴ (float32) and u' = 2⁻⁵³ (float64) unit roundoffs, γ_n = n·u/(1 − n·u),
/// K = rank + 1. For an input x the index keeps q̂ = float32(fl64(B·x)) and ν = ||q̂||²; for a
/// region j, f̂_j and ν̂_j = float32(||f̂_j||²), stored as the row [f̂_j, ν̂_j]. A query row is
/// [−2q̂, 1], so one float32 product gives V = ν̂_j − 2·q̂·f̂_j for every pair at once.
///
/// 1. Product error. Any summation order (any BLAS kernel, FMA or not) errs by at most
///    γ_K·Σ|a_i·b_i| <= γ_K·(ν + ||f̂_j||² + ν̂_j) (2|q̂·f̂| <= |q̂|² + |f̂|²). With the rounding of ν̂_j,
///    of ν and of S = fl64(ν + V):  |S − ||q̂ − f̂_j||²| <= E := 1.05·(γ_K + 2u)·(ν + 2ν̂_j).
/// 2. Feature error. ||q̂ − B·x|| <= ε(x) := 1.01·(u·√ν + γ'_D·||B||_F·||x||) + 1e-30 (float64
///    product, then one float32 rounding; the constant covers subnormals). For regions ||x_j|| is
///    bounded by the largest norm the index has seen.
/// 3. Triangle inequality and σ_max: ||x − x_j|| >= scale·(||q̂ − f̂_j|| − ε(x) − ε(x_j)) with
///    scale <= 1/σ_max(B) (`RegionProjection`), and ||q̂ − f̂_j|| >= √(S − E).
/// 4. The exact distance d̂ of the rule sums D non-negative float64 terms, so
///    d̂ >= d·(1 − (D/2 + 2)·u') while no square underflows, which holds when d >= 1e-140.
///
/// So the screen excludes j only when scale·(√(S − E)·(1 − η) − (ε(x) + ε(x_j))·(1 + η)) >=
/// (R + R̄_j)·(1 + η) + 1e-140, where R̄_j >= R_j is the float32 radius bound it keeps and
/// η = 1e-9 + 8·(D + 16)·u' absorbs every float64 rounding of this test and of step 4. Every
/// NaN or infinity (huge pixels) makes the test false, so such pairs are checked exactly.
/// `threshold` gives one float32 number per query and label block from the block's largest
/// ν̂_j and R̄_j: V above it implies the test above for every region of the block.
struct RegionScreen {
    static let u32 = 0x1p-24
    static let u64 = 0x1p-53
    static let floor = 1e-140

    let scale: Double
    let eta: Double
    /// 1.05·(γ_K + 2u): E = dotError·(ν + 2ν̂).
    let dotError: Double
    /// γ'_D·||B||_F, times ||x|| in ε(x).
    let projectionError: Double
    /// >= ||x_j|| for every region of the index.
    let maxNorm: Double

    init(projection p: RegionProjection, maxNorm: Double) {
        let k = Double(p.rank + 1), d = Double(p.dimension)
        scale = p.scale
        eta = Self.slack(dimension: p.dimension)
        dotError = 1.05 * (k * Self.u32 / (1 - k * Self.u32) + 2 * Self.u32)
        projectionError = d * Self.u64 / (1 - d * Self.u64) * p.frobenius
        self.maxNorm = maxNorm
    }

    /// ε(x) of step 2 for features with squared norm `nu` and an input of norm at most `norm`.
    @inline(__always)
    func featureError(nu: Double, norm: Double) -> Double {
        1.01 * (Self.u32 * nu.squareRoot() * 1.0001 + projectionError * norm) + 1e-30
    }

    /// One input's side of the screen.
    struct Query {
        /// [−2q̂, 1]: K values.
        var row: [Float]
        var nu: Double
        var error: Double
        var radius: Double
    }

    func query(features f: [Float], nu: Double, norm: Double, radius: Double) -> Query {
        Query(row: f.map { -2 * $0 } + [1], nu: nu, error: featureError(nu: nu, norm: norm), radius: radius)
    }

    /// True when the pair (query, region with product value `v`, ν̂_j = `nu`, R̄_j = `radiusBound`)
    /// is proven out of reach (the test of the type comment).
    @inline(__always)
    func excludes(_ v: Float, _ q: Query, nu: Float, radiusBound: Float) -> Bool {
        let nuj = Double(nu)
        let s = q.nu + Double(v)
        let e = dotError * (q.nu + 2 * nuj)
        let gap = s - e
        guard gap > 0 else { return false }  // also false for NaN
        let errors = q.error + featureError(nu: nuj, norm: maxNorm)
        let bound = scale * (gap.squareRoot() * (1 - eta) - errors * (1 + eta))
        return bound >= (q.radius + Double(radiusBound)) * (1 + eta) + Self.floor
    }

    /// A float32 t with: V > t implies `excludes` for every region whose ν̂_j <= `maxNu` and
    /// R̄_j <= `maxRadius` (NaN or +inf when nothing can be excluded, which no V exceeds).
    ///
    /// With τ = ((R + R̄ + 1e-140)/scale + ε(x) + ε_max)·(1 + η): V > τ²(1+2η) + E_max(1+η) − ν(1−η)
    /// gives ||q̂ − f̂_j||² >= ν + V − E_max > τ², hence d > (R + R_j + 1e-140)·(1 + η/2) by steps 1–3,
    /// which implies d̂ >= fl(R + R_j) by step 4 (the η terms dominate the roundings here).
    func threshold(_ q: Query, maxNu: Float, maxRadius: Float) -> Float {
        let nuMax = Double(maxNu)
        let tau = ((q.radius + Double(maxRadius) + Self.floor) / scale + q.error + featureError(nu: nuMax, norm: maxNorm)) * (1 + eta)
        let eMax = dotError * (q.nu + 2 * nuMax)
        let t = tau * tau * (1 + 2 * eta) + eMax * (1 + eta) - q.nu * (1 - eta)
        var f = Float(t)
        if Double(f) < t { f = f.nextUp }
        return f
    }

    /// η of the type comment.
    static func slack(dimension: Int) -> Double { 1e-9 + 8 * (Double(dimension) + 16) * u64 }

    /// Σ (x_i − y_i)² in float64 over float32 `y` (this host's byte order) in eight lanes: fast,
    /// and in an order of its own, so it only feeds `quickExcludes`, never a decision.
    static func quickSquaredDistance(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeRawPointer) -> Double {
        let n = x.count
        let xr = UnsafeRawPointer(x.baseAddress!)
        var lanes = SIMD8<Double>()
        var i = 0
        while i + 8 <= n {
            let d =
                xr.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                - SIMD8<Double>(y.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self))
            lanes += d * d
            i += 8
        }
        var s = lanes.sum()
        while i < n {
            let d = x[i] - Double(y.loadUnaligned(fromByteOffset: 4 * i, as: Float.self))
            s += d * d
            i += 1
        }
        return s
    }

    /// True when a `quickSquaredDistance` value q proves the exact distance d̂ >= fl(reach): any
    /// order of D non-negative terms gives q <= d²·(1 + (D + 4)·u'), so q·(1 − η) >= reach²·(1 + η)
    /// + 1e-280 gives d >= reach·(1 + η/4) and d >= 1e-140, and step 4 of the type comment does
    /// the rest (η as in `init`).
    static func quickExcludes(_ q: Double, reach: Double, dimension: Int) -> Bool {
        let eta = slack(dimension: dimension)
        return q * (1 - eta) >= reach * reach * (1 + eta) + floor * floor
    }

    /// The smallest float32 >= r (the radius bound R̄_j the index keeps).
    static func radiusBound(_ r: Double) -> Float {
        var f = Float(r)
        if Double(f) < r { f = f.nextUp }
        return f
    }
}
