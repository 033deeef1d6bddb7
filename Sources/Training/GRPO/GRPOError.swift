/// Why a GRPO step could not go on. Nothing of the step is written when one is thrown.
public enum GRPOError: Error, CustomStringConvertible, Equatable {
    /// A reward term or the summed reward is NaN or infinite.
    case nonFiniteReward(completion: Int, term: String, value: Double)
    /// The task scorer returned a value outside [0, 1] (or NaN).
    case taskScoreOutOfRange(scorer: String, completion: Int, value: Double)
    /// The engine aborted a rollout request.
    case rolloutAborted(prompt: Int, reason: String)
    /// A configuration value is out of range.
    case invalidConfig(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .nonFiniteReward(c, term, v):
            "completion \(c) of the step has a non-finite \(term) value (\(v)); the step was not taken"
        case let .taskScoreOutOfRange(name, c, v):
            "task scorer '\(name)' returned \(v) for completion \(c) of the step; scores must lie in [0, 1]"
        case let .rolloutAborted(p, reason):
            "the engine aborted the rollouts of prompt \(p) of the step: \(reason)"
        case let .invalidConfig(name, value, expected):
            "GRPO setting \(name) = \(value) is invalid: expected \(expected)"
        }
    }
}
