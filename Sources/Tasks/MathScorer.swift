import Training

extension TaskScorer {
    /// 1 when the completion's extracted answer equals the problem's reference answer in value,
    /// else 0. The rollout's prompt index is the problem's index in `problems`.
    public static func mathAnswer(_ problems: [MathProblem]) -> TaskScorer {
        TaskScorer(name: "math-answer") { input in
            AnswerExtraction.isCorrect(completion: input.text, expected: problems[input.promptIndex].finalAnswer) ? 1 : 0
        }
    }
}
