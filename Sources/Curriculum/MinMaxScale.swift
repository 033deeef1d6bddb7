/// The affine map between the raw reward scale and [0, 1] fitted to a set of values:
/// t = (x − min) / (max − min).
///
/// Bucketing works on the normalised values, so rewards of any sign and scale (the GSM8K composite
/// reward sits around −2) are handled alike, and an affine change of the rewards with a positive
/// factor leaves the partition unchanged.
/// Degenerate case: when all values are equal there is no spread to normalise by; every value then
/// maps to 0.5, the middle of the scale, because nothing makes one sample easier than another.
public struct MinMaxScale: Codable, Sendable, Equatable {
    /// Smallest fitted value (raw scale).
    public let minimum: Double
    /// Largest fitted value (raw scale).
    public let maximum: Double

    /// Fits the scale to `values`.
    /// - Throws: `CurriculumError.emptyInput` for no values, `.nonFiniteValue` for NaN or infinity.
    public init(fitting values: [Double]) throws {
        guard let first = values.first else { throw CurriculumError.emptyInput(what: "normalisation") }
        var lo = first
        var hi = first
        for (i, x) in values.enumerated() {
            guard x.isFinite else {
                throw CurriculumError.nonFiniteValue(field: "value", sample: i, found: "\(x)")
            }
            lo = min(lo, x)
            hi = max(hi, x)
        }
        minimum = lo
        maximum = hi
    }

    /// True when all fitted values were equal.
    public var isDegenerate: Bool { maximum == minimum }

    /// `x` on the [0, 1] scale, clamped to it; 0.5 when the scale is degenerate.
    public func normalise(_ x: Double) -> Double {
        if isDegenerate { return 0.5 }
        // Halving both differences first keeps max − min finite even for values near
        // ±Double.greatestFiniteMagnitude; scaling by 0.5 is exact, so nothing else changes.
        let t = (0.5 * x - 0.5 * minimum) / (0.5 * maximum - 0.5 * minimum)
        return min(1, max(0, t))
    }

    /// The raw value at position `t` of the [0, 1] scale (linear interpolation from min to max).
    public func raw(_ t: Double) -> Double {
        (1 - t) * minimum + t * maximum
    }
}
