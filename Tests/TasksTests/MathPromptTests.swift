import Testing
import Tasks
import Tokenization

struct MathPromptTests {
    let problem = MathProblem(question: "What is 2 + 3?", answer: "2 + 3 = 5\n#### 5", finalAnswer: 5)

    @Test func rendersSystemPromptAndQuestionInChatML() {
        let prompt = MathPrompt(systemPrompt: "Think, then say \"The answer is N.\"")
        #expect(prompt.render(problem) == """
            <|im_start|>system
            Think, then say "The answer is N."<|im_end|>
            <|im_start|>user
            What is 2 + 3?<|im_end|>
            <|im_start|>assistant

            """)
    }

    /// The math system prompt replaces the model's own default (Qwen2.5's "You are Qwen…").
    @Test func replacesTheTemplateDefaultSystemPrompt() {
        let prompt = MathPrompt(template: ChatTemplate(defaultSystemPrompt: "You are Qwen."))
        let text = prompt.render(problem)
        #expect(!text.contains("You are Qwen."))
        #expect(text.hasPrefix("<|im_start|>system\n" + MathPrompt.defaultSystemPrompt + "<|im_end|>\n"))
        #expect(prompt.messages(for: problem).map(\.role) == [.system, .user])
    }

    @Test func defaultAsksForStepsAndTheExtractorsFinalLine() {
        #expect(MathPrompt.defaultSystemPrompt.contains("step by step"))
        #expect(MathPrompt.defaultSystemPrompt.contains("The answer is N."))
        #expect(!MathPrompt.defaultSystemPrompt.contains("\n"))
    }
}
