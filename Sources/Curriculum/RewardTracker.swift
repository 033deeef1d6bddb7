/// Which per-sample number the curriculum treats as "how easy is this prompt".
public enum DifficultySignal: String, Codable, Sendable, CaseIterable {
    /// The composite reward the trainer optimises (task score plus weighted cost terms), as the
    /// original did. Cost terms can dominate it, so it measures "cheap and right" more than "right".
    case compositeReward
    /// The task score alone (for GSM8K, 1 for a correct answer and 0 otherwise): difficulty from
    /// correctness only.
    case taskScore
}

/// Per-sample exponential moving average of the rewards seen in each epoch.
///
/// The tracker records both signals of every rollout (the composite reward and the task score) and
/// keeps one average of each, so the choice of difficulty signal is made by whoever reads it (the
/// `DatasetScheduler` reads the one its configuration names) and can be changed without losing
/// history.
///
/// Rule, per sample and per signal, at the end of each epoch:
/// - if the sample received rewards this epoch, let m be their arithmetic mean; a sample never seen
///   before takes ema = m (its first observation replaces the missing value, it is not blended with
///   a made-up prior); a sample seen before takes ema = decay · ema + (1 − decay) · m;
/// - a sample that received nothing this epoch keeps its value, and one never observed stays
///   unseen (`nil`), never a default such as 0.5.
public struct RewardTracker: Codable, Sendable, Equatable {
    /// Number of samples in the dataset; valid indices are `0 ..< sampleCount`.
    public let sampleCount: Int
    /// Weight of the history in each update, in (0, 1); 0.7 keeps 70 % of the old average.
    public let decay: Double
    /// Number of completed epochs (calls to `endEpoch`).
    public private(set) var completedEpochs: Int

    private var compositeEMA: [Double?]
    private var taskEMA: [Double?]
    private var pendingCompositeSum: [Double]
    private var pendingTaskSum: [Double]
    private var pendingCount: [Int]

    /// Creates a tracker in which every sample is unseen.
    /// - Parameters:
    ///   - sampleCount: dataset size, at least 1.
    ///   - decay: history weight, strictly between 0 and 1 (default 0.7).
    /// - Throws: `CurriculumError.invalidConfiguration` for a bad count or decay.
    public init(sampleCount: Int, decay: Double = 0.7) throws {
        try RewardTracker.validate(sampleCount: sampleCount, decay: decay)
        self.sampleCount = sampleCount
        self.decay = decay
        completedEpochs = 0
        compositeEMA = Array(repeating: nil, count: sampleCount)
        taskEMA = Array(repeating: nil, count: sampleCount)
        pendingCompositeSum = Array(repeating: 0, count: sampleCount)
        pendingTaskSum = Array(repeating: 0, count: sampleCount)
        pendingCount = Array(repeating: 0, count: sampleCount)
    }

    /// Records the outcome of one rollout of `sample` in the current epoch. A sample may be recorded
    /// any number of times per epoch (once per rollout); the epoch's mean is what enters the EMA.
    /// - Throws: `CurriculumError.sampleOutOfRange`, or `.nonFiniteValue` for a NaN or infinite
    ///   value (nothing is recorded then).
    public mutating func record(sample: Int, reward: Double, taskScore: Double) throws {
        guard sample >= 0 && sample < sampleCount else {
            throw CurriculumError.sampleOutOfRange(sample: sample, sampleCount: sampleCount)
        }
        guard reward.isFinite else {
            throw CurriculumError.nonFiniteValue(field: "reward", sample: sample, found: "\(reward)")
        }
        guard taskScore.isFinite else {
            throw CurriculumError.nonFiniteValue(field: "taskScore", sample: sample, found: "\(taskScore)")
        }
        pendingCompositeSum[sample] += reward
        pendingTaskSum[sample] += taskScore
        pendingCount[sample] += 1
    }

    /// Folds this epoch's means into the averages and starts a new epoch.
    public mutating func endEpoch() {
        for i in 0..<sampleCount where pendingCount[i] > 0 {
            let n = Double(pendingCount[i])
            compositeEMA[i] = blend(compositeEMA[i], pendingCompositeSum[i] / n)
            taskEMA[i] = blend(taskEMA[i], pendingTaskSum[i] / n)
            pendingCompositeSum[i] = 0
            pendingTaskSum[i] = 0
            pendingCount[i] = 0
        }
        completedEpochs += 1
    }

    /// The average of `signal` for `sample`, or `nil` while the sample is unseen.
    public func average(of sample: Int, _ signal: DifficultySignal) -> Double? {
        precondition(sample >= 0 && sample < sampleCount, "sample \(sample) outside 0..<\(sampleCount)")
        return signal == .compositeReward ? compositeEMA[sample] : taskEMA[sample]
    }

    /// The averages of `signal` for every sample, `nil` for unseen ones.
    public func averages(_ signal: DifficultySignal) -> [Double?] {
        signal == .compositeReward ? compositeEMA : taskEMA
    }

    /// Number of samples observed at least once in a completed epoch.
    public var seenCount: Int { compositeEMA.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// Number of rollouts recorded for `sample` in the current, unfinished epoch.
    public func pendingRollouts(of sample: Int) -> Int {
        precondition(sample >= 0 && sample < sampleCount, "sample \(sample) outside 0..<\(sampleCount)")
        return pendingCount[sample]
    }

    private func blend(_ old: Double?, _ mean: Double) -> Double {
        guard let old else { return mean }
        return decay * old + (1 - decay) * mean
    }

    private static func validate(sampleCount: Int, decay: Double) throws {
        try CurriculumError.require(sampleCount >= 1, field: "sampleCount", expected: "at least 1",
                                    found: "\(sampleCount)")
        try CurriculumError.require(decay > 0 && decay < 1, field: "emaDecay",
                                    expected: "strictly between 0 and 1", found: "\(decay)")
    }

    private enum CodingKeys: String, CodingKey {
        case sampleCount, decay, completedEpochs, compositeEMA, taskEMA
        case pendingCompositeSum, pendingTaskSum, pendingCount
    }

    /// Decodes a saved tracker, checking that the decay is valid and every array has one entry per
    /// sample.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sampleCount = try c.decode(Int.self, forKey: .sampleCount)
        decay = try c.decode(Double.self, forKey: .decay)
        try RewardTracker.validate(sampleCount: sampleCount, decay: decay)
        completedEpochs = try c.decode(Int.self, forKey: .completedEpochs)
        compositeEMA = try c.decode([Double?].self, forKey: .compositeEMA)
        taskEMA = try c.decode([Double?].self, forKey: .taskEMA)
        pendingCompositeSum = try c.decode([Double].self, forKey: .pendingCompositeSum)
        pendingTaskSum = try c.decode([Double].self, forKey: .pendingTaskSum)
        pendingCount = try c.decode([Int].self, forKey: .pendingCount)
        let lengths = [compositeEMA.count, taskEMA.count, pendingCompositeSum.count,
                       pendingTaskSum.count, pendingCount.count]
        try CurriculumError.require(lengths.allSatisfy { $0 == sampleCount }, field: "tracker arrays",
                                    expected: "\(sampleCount) entries each", found: "\(lengths)")
        try CurriculumError.require(completedEpochs >= 0, field: "completedEpochs",
                                    expected: "at least 0", found: "\(completedEpochs)")
    }
}
