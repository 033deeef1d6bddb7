/// What a task scorer sees of one completion.
public struct ScoringInput: Sendable {
    /// Index of the prompt in the run's prompt list (to look up its reference answer).
    public var promptIndex: Int
    public var promptTokens: [Int32]
    public var completionTokens: [Int32]
    /// The detokenized completion (empty without a tokenizer).
    public var text: String

    public init(promptIndex: Int, promptTokens: [Int32], completionTokens: [Int32], text: String) {
        self.promptIndex = promptIndex; self.promptTokens = promptTokens; self.completionTokens = completionTokens; self.text = text
    }
}

/// Scores a completion's task success in [0, 1]; the reward's first term. A value outside that
/// range stops the step with `GRPOError.taskScoreOutOfRange`.
public struct TaskScorer: Sendable {
    public let name: String
    public let score: @Sendable (ScoringInput) throws -> Double

    public init(name: String, score: @escaping @Sendable (ScoringInput) throws -> Double) {
        self.name = name
        self.score = score
    }

    /// Every completion scores `value` (1.0 by default, the original's generic run): only the
    /// inference terms then differ within a group.
    public static func constant(_ value: Double = 1) -> TaskScorer {
        TaskScorer(name: "constant") { _ in value }
    }

    /// The fraction of the completion's characters equal to `character` (0 for an empty text).
    public static func characterFraction(_ character: Character) -> TaskScorer {
        TaskScorer(name: "char-fraction:\(character)") { input in
            let text = input.text
            return text.isEmpty ? 0 : Double(text.filter { $0 == character }.count) / Double(text.count)
        }
    }

    /// The fraction of the completion's tokens equal to `token` (0 for an empty completion); for
    /// models without a tokenizer.
    public static func tokenFraction(_ token: Int32) -> TaskScorer {
        TaskScorer(name: "token-fraction:\(token)") { input in
            let c = input.completionTokens
            return c.isEmpty ? 0 : Double(c.filter { $0 == token }.count) / Double(c.count)
        }
    }

    /// Looks a scorer up by its command-line name: `constant`, `constant:V`, `char-fraction:C`,
    /// `token-fraction:ID`; nil for an unknown name.
    public static func named(_ name: String) -> TaskScorer? {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("constant", 1): return .constant()
        case ("constant", 2): return Double(parts[1]).map { .constant($0) }
        case ("char-fraction", 2) where parts[1].count == 1: return .characterFraction(parts[1].first!)
        case ("token-fraction", 2): return Int32(parts[1]).map { .tokenFraction($0) }
        default: return nil
        }
    }
}
