/// One sample scheduled in a batch.
public struct ScheduledSample: Codable, Sendable, Equatable {
    /// Index of the sample in the dataset.
    public let index: Int
    /// Completions to generate for it.
    public let rollouts: Int
    /// Its bucket, or `nil` during warm-up and for unseen samples.
    public let bucket: Int?
}

/// One batch of an epoch.
public struct ScheduledBatch: Codable, Sendable, Equatable {
    /// The samples, in the order to run them.
    public let samples: [ScheduledSample]
    /// Their dataset indices.
    public var indices: [Int] { samples.map(\.index) }
    /// Sum of the samples' rollout counts: completions this batch generates.
    public var totalRollouts: Int { samples.reduce(0) { $0 + $1.rollouts } }
}

/// The adaptive curriculum over one dataset: tracks rewards, re-buckets after every epoch and hands
/// out each epoch's batches with per-sample rollout counts.
///
/// Use: for each epoch, take `batches()`, run them, `record` every rollout's reward and task score,
/// then call `endEpoch()`, which returns that epoch's cluster report.
/// The batches of epoch e are a pure function of the seed, e and the plan, drawn from the
/// generator stream e, so a resumed run reproduces them exactly. The scheduler is `Codable`: saved
/// with a checkpoint and decoded, it continues exactly where it stopped.
public struct DatasetScheduler: Codable, Sendable, Equatable {
    /// The settings in use.
    public let config: SchedulerConfig
    /// Seed of every shuffle.
    public let seed: UInt64
    /// The reward averages.
    public private(set) var tracker: RewardTracker
    /// Buckets and rollout counts for the current epoch.
    public private(set) var plan: EpochPlan

    /// Creates a scheduler for a dataset of `sampleCount` samples, all unseen.
    /// - Throws: `CurriculumError.invalidConfiguration` for `sampleCount` < 1 or a configuration
    ///   whose fields were changed to bad values after it was created.
    public init(sampleCount: Int, config: SchedulerConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        self.seed = seed
        tracker = try RewardTracker(sampleCount: sampleCount, decay: config.emaDecay)
        plan = EpochPlan(uniformFor: sampleCount, rollouts: config.effectiveUniformRollouts)
    }

    private enum CodingKeys: String, CodingKey { case config, seed, tracker, plan }

    /// Decodes a saved scheduler, checking that its parts describe the same dataset.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(SchedulerConfig.self, forKey: .config)
        seed = try c.decode(UInt64.self, forKey: .seed)
        tracker = try c.decode(RewardTracker.self, forKey: .tracker)
        plan = try c.decode(EpochPlan.self, forKey: .plan)
        try CurriculumError.require(plan.sampleBuckets.count == tracker.sampleCount, field: "plan.sampleBuckets",
                                    expected: "\(tracker.sampleCount) entries", found: "\(plan.sampleBuckets.count)")
        try CurriculumError.require(
            plan.sampleBuckets.allSatisfy { $0.map { $0 >= 0 && $0 < plan.bucketCount } ?? true },
            field: "plan.sampleBuckets", expected: "bucket indices below \(plan.bucketCount)", found: "others")
        try CurriculumError.require(tracker.decay == config.emaDecay, field: "tracker.decay",
                                    expected: "\(config.emaDecay) (config.emaDecay)", found: "\(tracker.decay)")
    }

    /// The current epoch, counted from 0 (equals the number of completed epochs).
    public var epoch: Int { tracker.completedEpochs }

    /// True while the current epoch is a warm-up epoch with uniform rollouts.
    public var isWarmingUp: Bool { epoch < config.warmUpEpochs }

    /// Records one rollout of `sample` in the current epoch.
    /// - Throws: `CurriculumError.sampleOutOfRange` or `.nonFiniteValue`.
    public mutating func record(sample: Int, reward: Double, taskScore: Double) throws {
        try tracker.record(sample: sample, reward: reward, taskScore: taskScore)
    }

    /// Closes the current epoch: folds its rewards into the averages, re-buckets unless the next
    /// epoch is still a warm-up epoch, and reports on the new state.
    /// - Returns: the cluster report of the plan the next epoch will use.
    @discardableResult
    public mutating func endEpoch() -> ClusterReport {
        tracker.endEpoch()
        let values = tracker.averages(config.difficultySignal)
        if isWarmingUp {
            plan = EpochPlan(uniformFor: tracker.sampleCount, rollouts: config.effectiveUniformRollouts)
        } else {
            do {
                plan = try EpochPlan(values: values, bucketizer: ValleyBucketizer(config: config.bucketizer),
                                     policy: config.rollouts, uniformRollouts: config.effectiveUniformRollouts)
            } catch {
                // The tracker accepts finite values only, and averages of finite values are finite.
                preconditionFailure("tracker produced an unusable average: \(error)")
            }
        }
        return report()
    }

    /// The cluster report of the current plan.
    public func report() -> ClusterReport {
        ClusterReport(epoch: epoch, signal: config.difficultySignal,
                      values: tracker.averages(config.difficultySignal), plan: plan)
    }

    /// Rollouts for `sample` in the current epoch.
    public func rollouts(for sample: Int) -> Int { plan.rollouts(for: sample) }

    /// The current epoch's batches; every sample appears exactly once.
    ///
    /// Within-bucket mode: each bucket, then the group of unassigned samples, is shuffled and cut
    /// into consecutive batches of `batchSize` (the last of a group may be short), and the list of
    /// batches is shuffled. Mixed mode: all samples are shuffled together and cut into batches.
    public func batches() -> [ScheduledBatch] {
        var generator = SeededGenerator(seed: seed, stream: UInt64(epoch))
        let groups: [[Int]]
        switch config.batchMode {
        case .mixed:
            groups = [Array(0..<tracker.sampleCount)]
        case .withinBucket:
            var byBucket = Array(repeating: [Int](), count: plan.bucketCount + 1)
            for (i, b) in plan.sampleBuckets.enumerated() {
                byBucket[b ?? plan.bucketCount].append(i)
            }
            groups = byBucket.filter { !$0.isEmpty }
        }
        var batches: [ScheduledBatch] = []
        for var group in groups {
            if config.shuffle { generator.shuffle(&group) }
            for start in stride(from: 0, to: group.count, by: config.batchSize) {
                let members = group[start..<min(start + config.batchSize, group.count)]
                batches.append(ScheduledBatch(samples: members.map {
                    ScheduledSample(index: $0, rollouts: plan.rollouts(for: $0), bucket: plan.sampleBuckets[$0])
                }))
            }
        }
        if config.shuffle && config.batchMode == .withinBucket { generator.shuffle(&batches) }
        return batches
    }
}
