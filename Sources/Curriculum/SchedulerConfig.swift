/// How batches are formed from the buckets.
public enum BatchMode: String, Codable, Sendable, CaseIterable {
    /// Every batch holds samples of one bucket only, so the whole batch shares one rollout count
    /// (as the original did). Note that batch-wide statistics then differ systematically between
    /// buckets.
    case withinBucket
    /// Samples of all buckets are shuffled together; each sample keeps its own rollout count.
    case mixed
}

/// Settings of the adaptive curriculum. Validated on creation and on decoding; keys missing from
/// a JSON configuration take the defaults.
public struct SchedulerConfig: Codable, Sendable, Equatable {
    /// EMA history weight, strictly between 0 and 1. Default 0.7.
    public var emaDecay: Double
    /// Which tracked average drives bucketing. Default the composite reward.
    public var difficultySignal: DifficultySignal
    /// Bucketizer settings.
    public var bucketizer: BucketizerConfig
    /// Rollout counts per bucket.
    public var rollouts: RolloutPolicy
    /// Samples per batch, at least 1. Default 16.
    public var batchSize: Int
    /// Within-bucket (default) or mixed batches.
    public var batchMode: BatchMode
    /// Shuffle samples and batches each epoch (from the scheduler's seed). Default true.
    public var shuffle: Bool
    /// Epochs run with uniform rollouts before bucketing starts (min_epochs_before_bucketing),
    /// at least 0. Default 1: the first epoch is a warm-up, bucketing applies from the second.
    public var warmUpEpochs: Int
    /// Rollouts per sample during warm-up and for samples not yet seen, within the policy's
    /// [minimum, maximum]. `nil` (default) means the policy's midpoint, 7 with the default policy.
    public var uniformRollouts: Int?

    /// Creates a validated configuration.
    /// - Throws: `CurriculumError.invalidConfiguration` naming the first bad field.
    public init(emaDecay: Double = 0.7, difficultySignal: DifficultySignal = .compositeReward,
                bucketizer: BucketizerConfig = .defaults, rollouts: RolloutPolicy = .defaults,
                batchSize: Int = 16, batchMode: BatchMode = .withinBucket, shuffle: Bool = true,
                warmUpEpochs: Int = 1, uniformRollouts: Int? = nil) throws {
        self.emaDecay = emaDecay
        self.difficultySignal = difficultySignal
        self.bucketizer = bucketizer
        self.rollouts = rollouts
        self.batchSize = batchSize
        self.batchMode = batchMode
        self.shuffle = shuffle
        self.warmUpEpochs = warmUpEpochs
        self.uniformRollouts = uniformRollouts
        try validate()
    }

    /// The rollout count used during warm-up and for unseen samples.
    public var effectiveUniformRollouts: Int { uniformRollouts ?? rollouts.midpointRollouts }

    /// Checks every field, nested configurations included.
    public func validate() throws {
        try CurriculumError.require(emaDecay > 0 && emaDecay < 1, field: "emaDecay",
                                    expected: "strictly between 0 and 1", found: "\(emaDecay)")
        try bucketizer.validate()
        try rollouts.validate()
        try CurriculumError.require(batchSize >= 1, field: "batchSize", expected: "at least 1",
                                    found: "\(batchSize)")
        try CurriculumError.require(warmUpEpochs >= 0, field: "warmUpEpochs", expected: "at least 0",
                                    found: "\(warmUpEpochs)")
        if let uniformRollouts {
            let range = rollouts.minimumRollouts...rollouts.maximumRollouts
            try CurriculumError.require(range.contains(uniformRollouts), field: "uniformRollouts",
                                        expected: "in \(range.lowerBound)...\(range.upperBound)",
                                        found: "\(uniformRollouts)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case emaDecay, difficultySignal, bucketizer, rollouts, batchSize, batchMode, shuffle
        case warmUpEpochs, uniformRollouts
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            emaDecay: c.decodeIfPresent(Double.self, forKey: .emaDecay) ?? 0.7,
            difficultySignal: c.decodeIfPresent(DifficultySignal.self, forKey: .difficultySignal) ?? .compositeReward,
            bucketizer: c.decodeIfPresent(BucketizerConfig.self, forKey: .bucketizer) ?? .defaults,
            rollouts: c.decodeIfPresent(RolloutPolicy.self, forKey: .rollouts) ?? .defaults,
            batchSize: c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 16,
            batchMode: c.decodeIfPresent(BatchMode.self, forKey: .batchMode) ?? .withinBucket,
            shuffle: c.decodeIfPresent(Bool.self, forKey: .shuffle) ?? true,
            warmUpEpochs: c.decodeIfPresent(Int.self, forKey: .warmUpEpochs) ?? 1,
            uniformRollouts: c.decodeIfPresent(Int.self, forKey: .uniformRollouts))
    }
}
