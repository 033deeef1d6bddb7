import Foundation

/// One grade-school math word problem with its reference solution.
public struct MathProblem: Sendable, Equatable, Hashable {
    /// The problem statement shown to the model.
    public var question: String
    /// The reference answer text as stored; in GSM8K a worked solution ending in `#### N`.
    public var answer: String
    /// The exact numeric value of the final answer, the one completions are scored against.
    public var finalAnswer: Decimal

    /// A problem whose final answer is already known.
    public init(question: String, answer: String, finalAnswer: Decimal) {
        self.question = question
        self.answer = answer
        self.finalAnswer = finalAnswer
    }

    /// A problem in GSM8K's format: the final answer is read from the end of `answer`.
    ///
    /// - Parameters:
    ///   - file, line: where the problem came from, for the error message (1-based line).
    /// - Throws: `TaskDataError.missingFinalAnswer` or `.nonNumericFinalAnswer`; see
    ///   `groundTruth(inGSM8KAnswer:file:line:)`.
    public init(question: String, gsm8kAnswer answer: String, file: String = "<memory>", line: Int = 1) throws {
        let value = try Self.groundTruth(inGSM8KAnswer: answer, file: file, line: line)
        self.init(question: question, answer: answer, finalAnswer: value)
    }

    /// The worked solution without the final `#### N` line; the whole answer when it has none.
    public var solution: String {
        guard let marker = answer.range(of: "####", options: .backwards) else { return answer }
        return answer[..<marker.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The ground truth of a GSM8K answer: the text after its last `####`, which must be one number
    /// and nothing else. It may carry a sign, a `$`, `€` or `£` prefix, thousands separators and
    /// decimals ("1,234", "-$5", "12.50"); anything more ("12 apples", "50%", "12.") is an error,
    /// because a ground truth that needs guessing is not a ground truth. The grammar is
    /// `AnswerExtraction.parseNumber`'s.
    ///
    /// - Throws: `TaskDataError.missingFinalAnswer` when there is no `####`,
    ///   `.nonNumericFinalAnswer` when what follows is not a number with an exact value.
    public static func groundTruth(inGSM8KAnswer answer: String, file: String = "<memory>",
                                   line: Int = 1) throws -> Decimal {
        guard let marker = answer.range(of: "####", options: .backwards) else {
            let tail = answer.suffix(60)
            let shown = tail.count < answer.count ? "\"…" + tail + "\"" : "\"" + tail + "\""
            throw TaskDataError.missingFinalAnswer(file: file, line: line, found: shown)
        }
        let rest = answer[marker.upperBound...]
        guard let value = AnswerExtraction.parseNumber(String(rest)) else {
            let trimmed = rest.trimmingCharacters(in: .whitespacesAndNewlines)
            let shown = trimmed.isEmpty ? "nothing" : TaskDataError.quoted(trimmed)
            throw TaskDataError.nonNumericFinalAnswer(file: file, line: line, found: shown)
        }
        return value
    }
}
