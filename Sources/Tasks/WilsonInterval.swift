import Foundation

/// The Wilson score interval for a binomial proportion (Wilson, 1927, "Probable inference, the law
/// of succession, and statistical inference", JASA 22): the accuracy of k correct answers out of
/// n, with its confidence interval.
///
/// With p = k/n and z the normal quantile,
///
///     centre = (p + z²/(2n)) / (1 + z²/n)
///     half   = z / (1 + z²/n) · √(p(1 − p)/n + z²/(4n²))
///
/// Unlike the normal approximation p ± z√(p(1−p)/n) it stays inside [0, 1] and does not collapse
/// to a zero-width interval at k = 0 or k = n, which matters for the small evaluation sets here.
public struct WilsonInterval: Sendable, Equatable, CustomStringConvertible {
    /// The two-sided 95 % normal quantile, Φ⁻¹(0.975), to seven digits.
    public static let z95 = 1.959964

    /// k, the number of successes.
    public let successes: Int
    /// n, the number of trials.
    public let trials: Int
    /// The lower bound, in [0, 1]; exactly 0 when k = 0.
    public let lower: Double
    /// The upper bound, in [0, 1]; exactly 1 when k = n.
    public let upper: Double
    /// The normal quantile the interval was computed with.
    public let z: Double

    /// The interval for `successes` out of `trials`; nil when `trials` is 0, since no trial says
    /// nothing about the proportion.
    ///
    /// - Parameters:
    ///   - successes: k; must be in `0 ... trials`.
    ///   - trials: n; must not be negative.
    ///   - z: the normal quantile of the confidence level; `z95` (95 %) by default.
    public init?(successes: Int, trials: Int, z: Double = WilsonInterval.z95) {
        precondition(trials >= 0, "WilsonInterval needs a non-negative number of trials, got \(trials)")
        precondition((0...trials).contains(successes),
                     "WilsonInterval needs successes in 0...\(trials), got \(successes)")
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        self.successes = successes
        self.trials = trials
        self.z = z
        // At k = 0 (k = n) the bound is 0 (1) in exact arithmetic; rounding would leave ±1e-17.
        lower = successes == 0 ? 0 : max(0, centre - half)
        upper = successes == trials ? 1 : min(1, centre + half)
    }

    /// k/n.
    public var proportion: Double { Double(successes) / Double(trials) }

    /// "68/100 = 68.0 % (95 % CI 58.3–76.4 %)", for reports; a `z` other than `z95` is printed
    /// instead of the confidence level.
    public var description: String {
        func percent(_ x: Double) -> String { String(format: "%.1f", 100 * x) }
        let level = z == Self.z95 ? "95 % CI" : "CI at z = \(z)"
        return "\(successes)/\(trials) = \(percent(proportion)) % (\(level) \(percent(lower))–\(percent(upper)) %)"
    }
}
