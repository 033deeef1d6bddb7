import Foundation

/// Descriptive statistics of a set of difficulty values (raw scale).
public struct SummaryStatistics: Codable, Sendable, Equatable {
    /// Number of values.
    public let count: Int
    /// Arithmetic mean.
    public let mean: Double
    /// Population standard deviation (divides by n).
    public let std: Double
    /// Smallest value.
    public let minimum: Double
    /// Largest value.
    public let maximum: Double
    /// 25th percentile (linear interpolation, NumPy's default).
    public let p25: Double
    /// Median.
    public let median: Double
    /// 75th percentile.
    public let p75: Double

    /// Statistics of `values`, which must not be empty.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "statistics of an empty sample")
        let sorted = values.sorted()
        count = values.count
        mean = Statistics.mean(values)
        std = Statistics.populationStd(values)
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        p25 = Statistics.quantile(sorted: sorted, 0.25)
        median = Statistics.quantile(sorted: sorted, 0.5)
        p75 = Statistics.quantile(sorted: sorted, 0.75)
    }
}

/// A bucket's difficulty in words: the lowest-reward bucket is hard, the highest easy, the rest
/// (and a single bucket) medium.
public enum DifficultyLabel: String, Codable, Sendable {
    case hard, medium, easy
}

/// Metrics of one bucket.
public struct BucketReport: Codable, Sendable, Equatable {
    /// Bucket index, 0 = lowest rewards.
    public let index: Int
    /// Hard, medium or easy.
    public let label: DifficultyLabel
    /// Lower edge of the bucket's interval on the raw scale.
    public let rawLow: Double
    /// Upper edge of the bucket's interval on the raw scale.
    public let rawHigh: Double
    /// Fraction of the bucketed (seen) samples in this bucket.
    public let share: Double
    /// Rollouts each member gets.
    public let rollouts: Int
    /// Mean of the members on the normalised scale, from which `rollouts` is computed.
    public let normalisedMean: Double
    /// Statistics of the members' values; `statistics.count` is the bucket's size.
    public let statistics: SummaryStatistics
    /// Member counts in `ClusterReport.histogramBins` equal-width bins over [rawLow, rawHigh].
    public let histogram: [Int]
}

/// Two figures that say whether the buckets mean anything.
public struct ClusterHealth: Codable, Sendable, Equatable {
    /// Population standard deviation of the bucket means on the normalised [0, 1] scale (so it does
    /// not depend on the reward's units); 0 with one bucket. Larger = better separated buckets.
    public let meanSpread: Double
    /// Normalised entropy of the bucket shares, −Σ pᵢ ln pᵢ / ln k: 1 for equal sizes, towards 0 as
    /// one bucket takes everything; 1 with one bucket. Always within [0, 1].
    public let sizeBalance: Double
}

/// What the curriculum did after an epoch: global statistics of the difficulty values, the bucket
/// boundaries, per-bucket metrics and two health figures. `text` renders it for a terminal and the
/// value itself encodes to JSON for the run log.
public struct ClusterReport: Codable, Sendable, Equatable {
    /// Bins of each bucket's histogram.
    public static let histogramBins = 20

    /// Completed epochs when the report was made.
    public let epoch: Int
    /// The difficulty signal the values are averages of.
    public let signal: DifficultySignal
    /// Dataset size.
    public let sampleCount: Int
    /// Samples never observed.
    public let unseenCount: Int
    /// Samples without a bucket (all of them during warm-up, the unseen ones afterwards).
    public let unassignedCount: Int
    /// Rollouts each unassigned sample gets.
    public let uniformRollouts: Int
    /// Statistics over all seen samples' values; `nil` when none has been seen.
    public let global: SummaryStatistics?
    /// Bucket boundaries on the raw scale, ascending; empty without buckets.
    public let boundaries: [Double]
    /// One entry per bucket, lowest rewards first; empty during warm-up.
    public let buckets: [BucketReport]
    /// Health figures over the buckets.
    public let health: ClusterHealth

    /// Builds the report of `plan` for the tracked `values` (`nil` = unseen).
    public init(epoch: Int, signal: DifficultySignal, values: [Double?], plan: EpochPlan) {
        precondition(values.count == plan.sampleBuckets.count, "values and plan differ in length")
        self.epoch = epoch
        self.signal = signal
        sampleCount = values.count
        let seen = values.compactMap { $0 }
        unseenCount = values.count - seen.count
        unassignedCount = plan.sampleBuckets.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
        uniformRollouts = plan.uniformRollouts
        global = seen.isEmpty ? nil : SummaryStatistics(seen)
        guard let partition = plan.partition else {
            boundaries = []
            buckets = []
            health = ClusterHealth(meanSpread: 0, sizeBalance: 1)
            return
        }
        boundaries = partition.rawBoundaries
        var members = Array(repeating: [Double](), count: partition.bucketCount)
        for (value, bucket) in zip(values, plan.sampleBuckets) {
            if let value, let bucket { members[bucket].append(value) }
        }
        let bucketed = Double(members.reduce(0) { $0 + $1.count })
        let k = partition.bucketCount
        buckets = members.enumerated().compactMap { b, group in
            guard !group.isEmpty else { return nil }
            let range = partition.rawRange(of: b)
            return BucketReport(
                index: b,
                label: k == 1 ? .medium : (b == 0 ? .hard : (b == k - 1 ? .easy : .medium)),
                rawLow: range.lowerBound, rawHigh: range.upperBound,
                share: Double(group.count) / bucketed,
                rollouts: plan.bucketRollouts[b], normalisedMean: plan.bucketNormalisedMeans[b],
                statistics: SummaryStatistics(group),
                histogram: ClusterReport.histogram(group, low: range.lowerBound, high: range.upperBound))
        }
        health = ClusterReport.health(of: buckets)
    }

    /// Equal-width bin counts of `values` over [low, high]; with high == low everything is in bin 0.
    static func histogram(_ values: [Double], low: Double, high: Double) -> [Int] {
        var bins = Array(repeating: 0, count: histogramBins)
        let width = high - low
        for v in values {
            let position = width > 0 ? (v - low) / width * Double(histogramBins) : 0
            // Members can sit a rounding error outside their interval; clamp into the end bins.
            let bin = min(histogramBins - 1, max(0, Int(position.rounded(.down))))
            bins[bin] += 1
        }
        return bins
    }

    static func health(of buckets: [BucketReport]) -> ClusterHealth {
        guard buckets.count > 1 else { return ClusterHealth(meanSpread: 0, sizeBalance: 1) }
        let spread = Statistics.populationStd(buckets.map(\.normalisedMean))
        let entropy = buckets.reduce(0.0) { $0 - ($1.share > 0 ? $1.share * log($1.share) : 0) }
        let balance = min(1, max(0, entropy / log(Double(buckets.count))))
        return ClusterHealth(meanSpread: spread, sizeBalance: balance)
    }

    /// The report as one line of JSON with sorted keys, for the run log.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
