/// Which proposer drafts tokens for the target to verify, and how many per step.
public enum SpeculativeConfig: Sendable, Equatable {
    /// A smaller model with the target's vocabulary drafts `numSpeculativeTokens` tokens.
    case draftModel(path: String, numSpeculativeTokens: Int)
    /// Prompt lookup: the tokens that followed the latest earlier occurrence of the context's last
    /// n tokens (n from `maxN` down to `minN`) are proposed.
    case ngram(minN: Int = 1, maxN: Int = 4, numSpeculativeTokens: Int)

    /// The most draft tokens one verification step may check.
    public static let maxSpeculativeTokens = 32

    public var numSpeculativeTokens: Int {
        switch self {
        case let .draftModel(_, k), let .ngram(_, _, k): k
        }
    }

    public func validate() throws {
        let k = numSpeculativeTokens
        guard k >= 1 && k <= Self.maxSpeculativeTokens else {
            throw EngineError.invalidParameter(name: "numSpeculativeTokens", value: "\(k)", expected: "1...\(Self.maxSpeculativeTokens)")
        }
        if case let .ngram(minN, maxN, _) = self {
            guard minN >= 1 && maxN >= minN else {
                throw EngineError.invalidParameter(name: "ngram window", value: "\(minN)...\(maxN)", expected: "1 <= minN <= maxN")
            }
        }
    }
}
