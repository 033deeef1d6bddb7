/// Which bucket each sample is in for an epoch and how many rollouts each gets.
///
/// Rule for samples without a bucket: during warm-up every sample is unassigned; after it, a
/// sample never observed (unseen) is left out of normalisation, the KDE and all bucket statistics,
/// because it has no difficulty value. Every unassigned sample gets `uniformRollouts` (the policy's
/// midpoint by default: nothing is known about it, so it is treated as neither hard nor easy) and,
/// in within-bucket batching, is batched with the other unassigned samples.
public struct EpochPlan: Codable, Sendable, Equatable {
    /// The fitted partition; `nil` during warm-up or while no sample has been seen.
    public let partition: BucketPartition?
    /// Bucket of each sample; `nil` for an unassigned (warm-up or unseen) sample.
    public let sampleBuckets: [Int?]
    /// Rollouts of each bucket, indexed by bucket.
    public let bucketRollouts: [Int]
    /// Mean of each bucket's members on the normalised scale (what the rollout count is computed
    /// from), indexed by bucket.
    public let bucketNormalisedMeans: [Double]
    /// Rollouts of an unassigned sample.
    public let uniformRollouts: Int

    /// A plan in which no sample has a bucket (warm-up).
    public init(uniformFor sampleCount: Int, rollouts: Int) {
        self.init(partition: nil, sampleBuckets: Array(repeating: nil, count: sampleCount),
                  bucketRollouts: [], bucketNormalisedMeans: [], uniformRollouts: rollouts)
    }

    private init(partition: BucketPartition?, sampleBuckets: [Int?], bucketRollouts: [Int],
                 bucketNormalisedMeans: [Double], uniformRollouts: Int) {
        self.partition = partition
        self.sampleBuckets = sampleBuckets
        self.bucketRollouts = bucketRollouts
        self.bucketNormalisedMeans = bucketNormalisedMeans
        self.uniformRollouts = uniformRollouts
    }

    /// Fits buckets to the seen samples' `values` (`nil` = unseen) and derives rollout counts.
    /// - Throws: `CurriculumError.nonFiniteValue` if a value is NaN or infinite.
    public init(values: [Double?], bucketizer: ValleyBucketizer, policy: RolloutPolicy,
                uniformRollouts: Int) throws {
        let seen = values.compactMap { $0 }
        guard !seen.isEmpty else {
            self.init(uniformFor: values.count, rollouts: uniformRollouts)
            return
        }
        let partition = try bucketizer.fit(seen)
        var sums = Array(repeating: 0.0, count: partition.bucketCount)
        var counts = Array(repeating: 0, count: partition.bucketCount)
        var buckets: [Int?] = []
        buckets.reserveCapacity(values.count)
        for value in values {
            guard let value else { buckets.append(nil); continue }
            let b = partition.bucket(of: value)
            sums[b] += partition.scale.normalise(value)
            counts[b] += 1
            buckets.append(b)
        }
        // Merging guarantees no empty bucket when minBucketSize ≥ 1; guard the division anyway.
        let means = zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : 0.5 }
        self.init(partition: partition, sampleBuckets: buckets,
                  bucketRollouts: means.map(policy.rollouts(normalisedMean:)),
                  bucketNormalisedMeans: means, uniformRollouts: uniformRollouts)
    }

    /// Number of buckets (0 while no partition exists).
    public var bucketCount: Int { bucketRollouts.count }

    /// Rollouts for `sample`.
    public func rollouts(for sample: Int) -> Int {
        precondition(sample >= 0 && sample < sampleBuckets.count,
                     "sample \(sample) outside 0..<\(sampleBuckets.count)")
        return sampleBuckets[sample].map { bucketRollouts[$0] } ?? uniformRollouts
    }
}
