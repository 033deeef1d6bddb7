import Tokenization

/// How a math problem is put to a chat model: a system prompt asking for step-by-step reasoning and
/// a closing "The answer is N." line (the form `AnswerExtraction` looks for first), then the
/// question as the user's turn, in the model's chat template.
///
/// The rendered text ends with the assistant's turn header, so its token ids are both what the
/// engine continues during rollouts and the prefix the loss conditions on.
public struct MathPrompt: Sendable, Equatable {
    /// The default system prompt.
    public static let defaultSystemPrompt = """
        You are a careful math tutor. Solve the problem step by step, showing each calculation. \
        Then write the final answer on its own last line in exactly this form: "The answer is N." \
        where N is a number only, without units.
        """

    /// The system prompt sent before every question.
    public var systemPrompt: String
    /// The chat format; its own default system prompt is replaced by `systemPrompt`.
    public var template: ChatTemplate

    /// - Parameters:
    ///   - systemPrompt: replaces `defaultSystemPrompt`, e.g. from a command-line flag.
    ///   - template: the model's chat template; ChatML without a default system prompt if omitted.
    public init(systemPrompt: String = MathPrompt.defaultSystemPrompt,
                template: ChatTemplate = ChatTemplate(defaultSystemPrompt: nil)) {
        self.systemPrompt = systemPrompt
        self.template = template
    }

    /// The conversation for `problem`: the system prompt, then its question as the user's turn.
    public func messages(for problem: MathProblem) -> [ChatMessage] {
        [ChatMessage(role: .system, content: systemPrompt), ChatMessage(role: .user, content: problem.question)]
    }

    /// The prompt text for `problem`, ending with the assistant's turn header.
    public func render(_ problem: MathProblem) -> String {
        template.render(messages(for: problem), addGenerationPrompt: true)
    }
}
