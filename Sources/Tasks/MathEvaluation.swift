import Engine
import Foundation

/// Accuracy of greedy answers on a fixed set of problems, with speculative decoding on, and what
/// decoding them cost.
public struct MathEvaluation: Codable, Sendable, Equatable {
    public var correct: Int
    public var total: Int
    /// The 95 % Wilson interval of the accuracy.
    public var lower: Double
    public var upper: Double
    public var meanCompletionTokens: Double
    /// Accepted / drafted tokens over the whole set; nil when nothing was drafted.
    public var acceptRate: Double?
    public var seconds: Double
    /// Whether each problem, in evaluation order, was answered correctly.
    public var perProblem: [Bool]

    public var accuracy: Double { Double(correct) / Double(total) }

    /// "accuracy 41.0 % (95 % CI 31.9–50.8 %, 41/100) | 212.3 tokens | accept 0.612 | 612 s"
    public var summary: String {
        let accept = acceptRate.map { String(format: "%.3f", $0) } ?? "n/a"
        return String(format: "accuracy %.1f %% (95 %% CI %.1f–%.1f %%, %d/%d) | %.1f tokens | accept %@ | %.0f s",
                      100 * accuracy, 100 * lower, 100 * upper, correct, total, meanCompletionTokens, accept, seconds)
    }

    /// Answers every problem greedily.
    /// - Parameters:
    ///   - prompts: token ids of each problem's prompt, in the order of `problems`.
    ///   - chunk: problems per `generate` call; `progress` is told after each.
    public static func run(_ llm: LLM, prompts: [[Int32]], problems: [MathProblem], maxNewTokens: Int, chunk: Int = 16,
                           progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> MathEvaluation {
        precondition(!problems.isEmpty && prompts.count == problems.count)
        let start = Date()
        var perProblem: [Bool] = [], tokens = 0, drafted = 0, accepted = 0
        for lo in stride(from: 0, to: problems.count, by: chunk) {
            let hi = min(problems.count, lo + chunk)
            let outputs = try llm.generate(Array(prompts[lo..<hi]), .greedy(maxTokens: maxNewTokens))
            _ = llm.specDecodeStats()
            for (problem, request) in zip(problems[lo..<hi], outputs) {
                let c = request.outputs[0]
                perProblem.append(AnswerExtraction.isCorrect(completion: c.text, expected: problem.finalAnswer))
                tokens += c.tokenIds.count
                drafted += c.stats.specDecode.draftedTokens
                accepted += c.stats.specDecode.acceptedTokens
            }
            progress(hi, problems.count)
        }
        let correct = perProblem.filter { $0 }.count
        let interval = WilsonInterval(successes: correct, trials: problems.count)!
        return MathEvaluation(correct: correct, total: problems.count, lower: interval.lower, upper: interval.upper,
                              meanCompletionTokens: Double(tokens) / Double(problems.count),
                              acceptRate: drafted > 0 ? Double(accepted) / Double(drafted) : nil,
                              seconds: Date().timeIntervalSince(start), perProblem: perProblem)
    }
}
