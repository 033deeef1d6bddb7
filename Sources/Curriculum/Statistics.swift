/// Small descriptive statistics shared by the bandwidth rule, the bucketizer and the report.
/// Sums run in `Double` in index order, so results do not depend on anything but the input.
enum Statistics {
    /// Arithmetic mean; 0 for an empty array.
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Population standard deviation (divides by n); 0 for fewer than two values.
    static func populationStd(_ values: [Double]) -> Double {
        guard values.count >= 2 else { return 0 }
        let m = mean(values)
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
        return variance.squareRoot()
    }

    /// The q-quantile of ascending `sorted` values by linear interpolation between closest ranks
    /// (Hyndman & Fan type 7, the default of NumPy and R): position q · (n − 1).
    static func quantile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of an empty sample")
        assert(q >= 0 && q <= 1)
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
