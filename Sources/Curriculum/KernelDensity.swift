import Foundation

/// How the kernel density estimate picks its bandwidth.
///
/// Encoded in JSON as the string `"silverman"` or as the fixed bandwidth itself, a number.
public enum BandwidthRule: Sendable, Equatable, Codable {
    /// Silverman's rule of thumb, h = 0.9 · min(σ, IQR / 1.34) · n^(−1/5) (Silverman, 1986,
    /// "Density Estimation for Statistics and Data Analysis", eq. 3.31). Adapts to sample size and
    /// spread, and the IQR term keeps a few outliers from widening it.
    case silverman
    /// A constant bandwidth on the normalised [0, 1] scale; the original used 0.05.
    case fixed(Double)

    /// Throws unless a fixed bandwidth is finite and positive.
    func validate() throws {
        if case let .fixed(h) = self {
            try CurriculumError.require(h.isFinite && h > 0, field: "bandwidth",
                                        expected: "\"silverman\" or a positive number", found: "\(h)")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let name = try? c.decode(String.self) {
            guard name == "silverman" else {
                throw CurriculumError.invalidConfiguration(
                    field: "bandwidth", expected: "\"silverman\" or a positive number", found: "\"\(name)\"")
            }
            self = .silverman
        } else {
            self = .fixed(try c.decode(Double.self))
            try validate()
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .silverman: try c.encode("silverman")
        case let .fixed(h): try c.encode(h)
        }
    }
}

/// Gaussian kernel density estimation on a grid:
/// f(x) = 1 / (n · h · √(2π)) · Σⱼ exp(−½ ((x − xⱼ) / h)²).
public enum KernelDensity {
    /// The bandwidth `rule` gives for `values`. Silverman's rule returns 0 when all values are equal
    /// (no spread to estimate from); callers treat that as "one cluster".
    public static func bandwidth(for values: [Double], rule: BandwidthRule) -> Double {
        switch rule {
        case let .fixed(h): return h
        case .silverman: return silvermanBandwidth(values)
        }
    }

    /// Silverman's rule of thumb, 0.9 · A · n^(−1/5) with A = min(sample std, IQR / 1.34).
    /// When one of the two spreads is zero (more than half the values identical) the other is used,
    /// so the bandwidth is positive whenever the values are not all equal.
    public static func silvermanBandwidth(_ values: [Double]) -> Double {
        let n = values.count
        guard n >= 2 else { return 0 }
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let std = variance.squareRoot()
        let sorted = values.sorted()
        let iqrScale = (Statistics.quantile(sorted: sorted, 0.75) - Statistics.quantile(sorted: sorted, 0.25)) / 1.34
        let spread: Double
        if std > 0 && iqrScale > 0 {
            spread = min(std, iqrScale)
        } else {
            spread = max(std, iqrScale)
        }
        return 0.9 * spread * pow(Double(n), -0.2)
    }

    /// `points` equally spaced positions covering [0, 1], both ends included.
    public static func unitGrid(points: Int) -> [Double] {
        precondition(points >= 2, "a grid needs at least 2 points, got \(points)")
        let step = 1 / Double(points - 1)
        return (0..<points).map { Double($0) * step }
    }

    /// The estimated density of `values` at each position of `grid`.
    /// - Parameters:
    ///   - values: the sample, non-empty.
    ///   - bandwidth: kernel standard deviation, positive, in the units of `values`.
    ///   - grid: evaluation positions.
    /// - Returns: one density per grid position (units: 1 / units of `values`).
    public static func density(of values: [Double], bandwidth: Double, at grid: [Double]) -> [Double] {
        precondition(!values.isEmpty, "density of an empty sample")
        precondition(bandwidth > 0 && bandwidth.isFinite, "bandwidth must be positive, got \(bandwidth)")
        let norm = 1 / (Double(values.count) * bandwidth * (2 * Double.pi).squareRoot())
        let inverseH = 1 / bandwidth
        // O(n · grid) exponentials: about 4 million for a GSM8K-sized dataset, a few milliseconds
        // once per epoch, so no binning or truncation is worth its error.
        return values.withUnsafeBufferPointer { xs in
            grid.map { x in
                var sum = 0.0
                for xj in xs {
                    let z = (x - xj) * inverseH
                    sum += exp(-0.5 * z * z)
                }
                return sum * norm
            }
        }
    }
}
