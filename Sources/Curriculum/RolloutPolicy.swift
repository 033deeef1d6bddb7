import Foundation

/// How many rollouts (completions per prompt) a bucket gets, from how hard it is.
///
/// count = round(base · (1 + α · (1 − m))), where m is the bucket's mean difficulty value on the
/// normalised [0, 1] scale (0 = the lowest reward seen, the hardest), clamped to
/// [base, ceil(base · (1 + α))]. With the defaults base 4 and α 1.5 the hardest bucket gets 10 and
/// the easiest 4. Using the normalised mean (not the raw one) is what keeps the count bounded for
/// rewards of any scale; the original used the raw mean and gave 24 rollouts for rewards near −2.3.
/// Rounding is half away from zero (7.5 → 8).
public struct RolloutPolicy: Codable, Sendable, Equatable {
    /// Rollouts for the easiest samples; at least 1. Default 4.
    public var base: Int
    /// Extra rollouts for hard samples, as a fraction of `base`; finite and ≥ 0. Default 1.5.
    public var alpha: Double

    /// Creates a validated policy.
    /// - Throws: `CurriculumError.invalidConfiguration` for base < 1 or a negative or non-finite α.
    public init(base: Int = 4, alpha: Double = 1.5) throws {
        self.base = base
        self.alpha = alpha
        try validate()
    }

    /// base 4, α 1.5: 4 to 10 rollouts.
    public static let defaults = RolloutPolicy(unchecked: 4, alpha: 1.5)

    private init(unchecked base: Int, alpha: Double) {
        self.base = base
        self.alpha = alpha
    }

    /// Checks both fields; called by both initialisers.
    public func validate() throws {
        try CurriculumError.require(base >= 1, field: "rollouts.base", expected: "at least 1", found: "\(base)")
        // The upper bound keeps base · (1 + α) representable as an Int with room to spare.
        try CurriculumError.require(alpha.isFinite && alpha >= 0 && Double(base) * (1 + alpha) <= 1e9,
                                    field: "rollouts.alpha",
                                    expected: "finite, ≥ 0, with base · (1 + alpha) ≤ 1e9", found: "\(alpha)")
    }

    /// The smallest count any bucket gets (`base`).
    public var minimumRollouts: Int { base }

    /// The largest count any bucket gets, ceil(base · (1 + α)).
    public var maximumRollouts: Int { Int((Double(base) * (1 + alpha)).rounded(.up)) }

    /// The count for the middle of the scale (m = 0.5); used during warm-up and for unseen samples
    /// when the scheduler's configuration does not name another.
    public var midpointRollouts: Int { rollouts(normalisedMean: 0.5) }

    /// Rollouts for a bucket whose mean on the normalised scale is `normalisedMean` (0 = hardest).
    /// Values outside [0, 1] are clamped into it first, so the count never leaves
    /// [`minimumRollouts`, `maximumRollouts`].
    public func rollouts(normalisedMean: Double) -> Int {
        precondition(!normalisedMean.isNaN, "normalised bucket mean is NaN")
        let m = min(1, max(0, normalisedMean))
        let raw = (Double(base) * (1 + alpha * (1 - m))).rounded(.toNearestOrAwayFromZero)
        return min(maximumRollouts, max(minimumRollouts, Int(raw)))
    }

    private enum CodingKeys: String, CodingKey { case base, alpha }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(base: c.decodeIfPresent(Int.self, forKey: .base) ?? 4,
                      alpha: c.decodeIfPresent(Double.self, forKey: .alpha) ?? 1.5)
    }
}
