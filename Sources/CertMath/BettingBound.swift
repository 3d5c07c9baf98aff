import Foundation

// A one-sided lower confidence bound for the mean of scores in [0, 1] by betting
// (Waudby-Smith & Ramdas, "Estimating means of bounded random variables by betting",
// JRSS-B 86(1), 2024): the upward half K+ of the paper's hedged capital process with its
// predictable plug-in bets, which is all a one-sided lower bound needs.
//
// Method. For a candidate mean m a gambler starts with capital 1 and before each score
// bets the fraction lambda_i(m) >= 0 of it that the score exceeds m:
//     K_t(m) = prod_{i <= t} (1 + lambda_i(m) * (x_i - m)).
// If m is the true mean, every factor has conditional mean 1, so K_t(m) is a nonnegative
// martingale with K_0 = 1 and, by Ville's inequality, P(exists t: K_t(m) >= 1/alpha) <= alpha.
// The set C_t = {m : max_{s <= t} K_s(m) < 1/alpha} therefore holds the true mean at every t
// at once with probability >= 1 - alpha: the bound is anytime-valid, so it stays valid when
// the caller stops at a data-dependent time (e.g. as soon as the bound looks good enough).
//
// Bets (the paper's predictable plug-in, PrPl, with ln(1/alpha) for one side):
//     lambda~_t = sqrt(2 ln(1/alpha) / (sigma2_{t-1} * t * ln(1 + t))),
//     mu_t      = (1/2 + sum_{i <= t} x_i) / (t + 1),
//     sigma2_t  = (1/4 + sum_{i <= t} (x_i - mu_i)^2) / (t + 1),   sigma2_0 = 1/4,
// so lambda~_t depends on x_1 ... x_{t-1} only, never on x_t. Truncation depends on m:
//     lambda_t(m) = min(lambda~_t, c / m),   c = `truncation` in (0, 0.99], default 3/4.
// Then every factor is >= 1 - lambda m >= 1 - c > 0 for any x in [0, 1] (the capital never
// goes bankrupt), and c / m lets the gambler bet more than c when m is small. (A cap c
// that does not depend on m would be as valid but weaker: with scores near 1 the bet is
// capped almost always, and the m-cap is what lets K_t(m) grow like (1 - c + c x / m)^t.)
//
// Why C_t is an interval (m*, 1]: each factor is nonincreasing in m. Where lambda~ <= c / m
// it is 1 + lambda~ (x - m); where c / m is smaller it is 1 - c + c x / m; both decrease in
// m and they meet at m = c / lambda~. A product of positive nonincreasing functions is
// nonincreasing, and so is a running maximum of them, so the rejected m (capital reached
// 1/alpha at some time) always form an initial segment [0, m*] or [0, m*).
//
// Grid and rounding (always down). m is searched on the grid m_j = sin^2(j pi / (2 G)),
// j = 0...G, G = `BettingBound.gridCells` = 4096 (uniform in arcsine: the spacing
// pi sqrt(m(1 - m)) / G follows the binomial standard deviation, ~4e-4 at m = 1/2, ~7e-5 at
// m = 0.99, 1.5e-7 for the last cell below 1). The reported bound is
//     L_t = max{ m_j : K_s(m_j) * exp(-1e-9) >= 1/alpha for some s <= t },  or 0,
// i.e. the largest grid point whose capital has ever reached the threshold (with a 1e-9
// margin on ln K that covers the floating-point error of the products). Every grid point at
// or below it is rejected as well, so L_t <= inf C_t (rounded down, never up), and L_t is
// nondecreasing in t (the running intersection of the C_s). m = 1 (K <= 1) is never rejected.
//
// Evaluation. ln K is accumulated as the log of the product of each block of 16 factors
// (blocks end at t = 16, 32, ...; 16 factors in [1 - c, 1 + lambda~] within [0.01, 130]
// cannot under- or overflow).
// Only the capital of the lowest unrejected grid point (the frontier) is kept up to date,
// O(1) per score; when it reaches the threshold, the new frontier is found by a galloping
// then binary search over j, each probe replaying the stored scores and bets from the start
// (O(t)). By monotonicity no grid point above the frontier could have been rejected earlier,
// so this gives exactly the grid rule above.
//
// Randomness. The guarantee is over the draws of the x_i: they must be i.i.d. with mean mu
// (more generally: mean mu given the past), in an order fixed before they are seen (model
// index order, say; never sorted or otherwise reordered by value). The bound is
// deterministic given the sequence.

/// Sequential betting lower confidence bound for the mean of scores in [0, 1]
/// (Waudby-Smith & Ramdas 2024, predictable plug-in bets, one-sided).
///
/// Guarantee: if the observed scores are i.i.d. draws with mean mu, fed in an order fixed
/// before they were seen, then with probability >= 1 - alpha over those draws
/// `lower <= mu` holds after every observation simultaneously; in particular it holds at a
/// stopping time chosen from the data. `lower` is nondecreasing in the number of
/// observations, 0 before any, and rounded down to the search grid.
///
/// Scores outside [0, 1] are clamped to it. A NaN score (or an alpha outside (0, 1), or a
/// truncation outside (0, 0.99]) makes `lower` NaN from then on: the caller treats that as
/// an error. Memory and the cost of an update grow with the number of observations (the
/// sequence is kept for the search); ~1000 scores take well under a millisecond in release.
public struct BettingLowerBound: Sendable {
    /// The level: the bound fails with probability at most alpha.
    public let alpha: Double
    /// c in lambda_t(m) = min(lambda~_t, c / m).
    public let truncation: Double
    /// Observations so far (NaN and clamped ones included).
    public private(set) var count: Int = 0

    /// The lower confidence bound after `count` observations (see the type's guarantee).
    public var lower: Double {
        failed ? .nan : BettingBound.grid[rejected]
    }

    /// A bound at level `alpha` with the default bet cap c = 3/4
    /// (`BettingBound.defaultTruncation`).
    public init(alpha: Double) {
        self.init(alpha: alpha, truncation: BettingBound.defaultTruncation)
    }

    /// `truncation` is c in (0, 0.99] (larger bets more boldly: tighter when the scores are
    /// all near 1, looser when some are far below the rest).
    public init(alpha: Double, truncation: Double) {
        self.alpha = alpha
        self.truncation = truncation
        let valid = alpha > 0 && alpha < 1 && truncation > 0 && truncation <= 0.99
        failed = !valid
        let logInverseAlpha = valid ? -log(alpha) : .nan
        logThreshold = logInverseAlpha + BettingBound.logMargin
        frontier = Capital(logThreshold: logThreshold)
        plugIn = PlugInBets(logInverseAlpha: logInverseAlpha)
    }

    /// Feeds the next score (in the sequence's fixed order).
    public mutating func observe(_ x: Double) {
        count += 1
        guard !failed else { return }
        guard !x.isNaN else { failed = true; return }
        let x = Swift.min(Swift.max(x, 0), 1)
        let t = count
        let bet = plugIn.bet(thenObserve: x)
        scores.append(x)
        bets.append(bet)

        let f = rejected + 1
        if f < BettingBound.gridCells {
            let m = BettingBound.grid[f]
            frontier.multiply(by: 1 + Swift.min(bet, truncation / m) * (x - m), step: t, logThreshold: logThreshold)
            if frontier.reached { advance(from: f) }
        }
    }

    // MARK: - State

    private var failed: Bool
    private let logThreshold: Double
    private var scores: [Double] = []
    private var bets: [Double] = []  // lambda~_i before the m-dependent cap
    private var plugIn: PlugInBets
    /// Index of the largest rejected grid point (0: m = 0, the trivial bound).
    private var rejected = 0
    /// Capital at the grid point rejected + 1, up to date after every observation.
    private var frontier: Capital

    /// Grid point f just reached the threshold at time t = count: find the largest j with
    /// K_t(m_j) at the threshold (galloping, then bisection) and the capital just above it.
    private mutating func advance(from f: Int) {
        let top = BettingBound.gridCells  // m = 1: never rejected
        var lo = f, hi = top
        var hiCapital: Capital?
        var stride = 1
        while lo + 1 < hi {
            let j = Swift.min(lo + stride, hi - 1)
            let capital = replay(j)
            if capital.reached { lo = j; stride *= 2 } else { hi = j; hiCapital = capital; break }
        }
        while lo + 1 < hi {
            let j = lo + (hi - lo) / 2
            let capital = replay(j)
            if capital.reached { lo = j } else { hi = j; hiCapital = capital }
        }
        rejected = lo
        if let hiCapital { frontier = hiCapital }
    }

    /// K_t(m_j) from scratch over the stored scores and bets, block by block exactly as
    /// the frontier is updated (so both give the same bits).
    private func replay(_ j: Int) -> Capital {
        let m = BettingBound.grid[j], cap = truncation / m
        var capital = Capital(logThreshold: logThreshold)
        scores.withUnsafeBufferPointer { xs in
            bets.withUnsafeBufferPointer { bs in
                let n = xs.count
                var i = 0
                while i < n {
                    let end = Swift.min(i + Capital.block, n)
                    var p = capital.product
                    while i < end {
                        p *= 1 + Swift.min(bs[i], cap) * (xs[i] - m)
                        i += 1
                    }
                    capital.product = p
                    if i % Capital.block == 0 { capital.fold(logThreshold: logThreshold) }
                }
            }
        }
        return capital
    }
}

/// The paper's predictable plug-in bets lambda~_t and the regularised running statistics
/// behind them (mu_t, sigma2_t; see the top of this file): one definition for the sequential
/// bound and the whole-sequence one, so both bet the same bits.
private struct PlugInBets {
    let logInverseAlpha: Double
    private var t = 0
    private var sum = 0.0  // sum of x_i
    private var squares = 0.0  // sum of (x_i - mu_i)^2
    private var sigma2Previous = 0.25  // sigma2_{t-1}

    init(logInverseAlpha: Double) { self.logInverseAlpha = logInverseAlpha }

    /// lambda~_t for the next score x_t, from x_1 ... x_{t-1} only (predictable); then x_t is
    /// taken into the statistics behind the next bet.
    mutating func bet(thenObserve x: Double) -> Double {
        t += 1
        let bet = (2 * logInverseAlpha / (sigma2Previous * Double(t) * log1p(Double(t)))).squareRoot()
        sum += x
        let mu = (0.5 + sum) / Double(t + 1)
        squares += (x - mu) * (x - mu)
        sigma2Previous = (0.25 + squares) / Double(t + 1)
        return bet
    }
}

/// K = exp(logSum) * product, where product holds the factors since the last full block.
private struct Capital: Sendable {
    static let block = 16
    var logSum = 0.0
    var product = 1.0
    /// exp(logThreshold - logSum): K reaches the threshold iff product >= this.
    var productThreshold: Double

    init(logThreshold: Double) {
        productThreshold = exp(logThreshold)
    }

    var reached: Bool { product >= productThreshold }

    mutating func multiply(by factor: Double, step t: Int, logThreshold: Double) {
        product *= factor
        if t % Capital.block == 0 { fold(logThreshold: logThreshold) }
    }

    mutating func fold(logThreshold: Double) {
        logSum += log(product)
        product = 1
        productThreshold = exp(logThreshold - logSum)
    }
}

/// The fixed-sequence form of `BettingLowerBound` and its constants.
public enum BettingBound {
    /// The betting lower bound after feeding `xs` in order: with probability >= 1 - alpha
    /// over i.i.d. scores (order fixed in advance) it is <= their mean. NaN if any score is
    /// NaN or alpha is outside (0, 1); 0 for no scores. See `BettingLowerBound`.
    public static func lower(_ xs: [Double], alpha: Double) -> Double {
        lower(xs, alpha: alpha, truncation: defaultTruncation)
    }

    /// The same with the bet cap c of lambda_t(m) = min(lambda~_t, c / m), c in (0, 0.99].
    ///
    /// The whole sequence is known here, so this does not follow the frontier score by score
    /// as `BettingLowerBound` must: it bisects the grid for the largest m_j whose capital
    /// reached the threshold at some t <= n (the type's definition of the bound, monotone in
    /// j), each probe one pass over the scores with the same bets, blocks and margin, so the
    /// same bits as feeding them one by one (`BettingBoundTests` compares both on random
    /// sequences). Twelve passes instead of one replay per advance of the frontier: on the
    /// sigma search's ~500-score predictions that replaying was most of the search's own cost.
    public static func lower(_ xs: [Double], alpha: Double, truncation: Double) -> Double {
        guard alpha > 0 && alpha < 1 && truncation > 0 && truncation <= 0.99 else { return .nan }
        guard !xs.contains(where: \.isNaN) else { return .nan }
        let logInverseAlpha = -log(alpha), logThreshold = logInverseAlpha + logMargin
        // The predictable bets, as `BettingLowerBound.observe` takes them.
        let scores = xs.map { Swift.min(Swift.max($0, 0), 1) }
        var plugIn = PlugInBets(logInverseAlpha: logInverseAlpha)
        let bets = scores.map { plugIn.bet(thenObserve: $0) }
        // K_t(m_j) >= threshold for some t: rejected. Grid 0 (m = 0) is the trivial bound, the
        // top (m = 1) is never rejected.
        func everReached(_ j: Int) -> Bool {
            let m = grid[j], cap = truncation / m
            var capital = Capital(logThreshold: logThreshold)
            for i in scores.indices {
                capital.multiply(by: 1 + Swift.min(bets[i], cap) * (scores[i] - m), step: i + 1, logThreshold: logThreshold)
                if capital.reached { return true }
            }
            return false
        }
        var lo = 0, hi = gridCells
        while lo + 1 < hi {
            let j = lo + (hi - lo) / 2
            if everReached(j) { lo = j } else { hi = j }
        }
        return grid[lo]
    }

    /// c = 3/4, one of the paper's two suggestions (1/2 and 3/4).
    public static let defaultTruncation = 0.75

    /// G: the candidate means are m_j = sin^2(j pi / (2 G)), j = 0...G.
    public static let gridCells = 4096

    /// The margin on ln K at the threshold (ln K >= ln(1/alpha) + logMargin rejects m).
    public static let logMargin = 1e-9

    /// m_j for j = 0...G (m_0 = 0, m_G = 1).
    static let grid: [Double] = (0...gridCells).map { j in
        let s = sin(Double(j) * (Double.pi / Double(2 * gridCells)))
        return s * s
    }
}
