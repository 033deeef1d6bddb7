import Testing
@testable import Tokenization

@Suite struct ChatTemplateTests {
    static let qwenSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    /// The part of Qwen2.5's template (as stored in its GGUF) that decides the system block.
    static let qwenTemplateExcerpt = #"""
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
    """#

    @Test func readsTheDefaultSystemPromptFromTheTemplate() {
        #expect(ChatTemplate(jinja: Self.qwenTemplateExcerpt)?.defaultSystemPrompt == Self.qwenSystem)
    }

    @Test func templatesWithoutADefaultOrNotChatML() {
        let noDefault = #"{%- for message in messages %}{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}{%- endfor %}"#
        #expect(ChatTemplate(jinja: noDefault) == ChatTemplate(defaultSystemPrompt: nil))
        #expect(ChatTemplate(jinja: "{{ bos_token }}[INST] {{ message }} [/INST]") == nil)
    }

    @Test func rendersTheDefaultSystemPrompt() {
        let t = ChatTemplate(defaultSystemPrompt: Self.qwenSystem)
        #expect(t.render(prompt: "What is 7 * 8?") ==
            "<|im_start|>system\n\(Self.qwenSystem)<|im_end|>\n<|im_start|>user\nWhat is 7 * 8?<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func aUserSystemPromptReplacesTheDefault() {
        let t = ChatTemplate(defaultSystemPrompt: Self.qwenSystem)
        #expect(t.render(prompt: "hi", system: "Be brief.") ==
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
        #expect(ChatTemplate(defaultSystemPrompt: nil).render(prompt: "hi") ==
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func rendersAConversation() {
        let t = ChatTemplate(defaultSystemPrompt: "S")
        let messages = [ChatMessage(role: .user, content: "a"), ChatMessage(role: .assistant, content: "b"),
                        ChatMessage(role: .user, content: "c")]
        #expect(t.render(messages, addGenerationPrompt: false) ==
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\nb<|im_end|>\n<|im_start|>user\nc<|im_end|>\n")
    }

    /// Rendered prompts tokenized as llama.cpp tokenizes the same strings (fixture cases
    /// chat_default_system and chat_custom_system).
    @Test(.enabled(if: ModelFiles.qwen05 != nil, "needs the Qwen2.5 0.5B GGUF"))
    func qwenChatPromptsMatchLlamaCpp() throws {
        let tokenizer = try #require(ModelFiles.qwenTokenizer)
        let template = try #require(tokenizer.chatTemplate)
        #expect(template.defaultSystemPrompt == Self.qwenSystem)

        let byDefault = LlamaCppFixture.shared.text("chat_default_system")
        #expect(template.render(prompt: "What is 7 * 8?") == byDefault.text)
        #expect(tokenizer.encodeChat(prompt: "What is 7 * 8?") == byDefault.ids)

        let custom = LlamaCppFixture.shared.text("chat_custom_system")
        #expect(template.render(prompt: "Write a haiku about tokens.", system: "You are a terse poet.") == custom.text)
        #expect(tokenizer.encodeChat(prompt: "Write a haiku about tokens.", system: "You are a terse poet.") == custom.ids)
        #expect(custom.ids.prefix(3) == [151_644, 8948, 198])  // <|im_start|> "system" "\n"
    }
}
