/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// The ChatML conversation format used by Qwen2 and Qwen2.5:
///
///     <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n
///
/// Models ship their format as a Jinja template (`tokenizer.chat_template`). Rather than
/// interpreting Jinja, this recognises ChatML templates and reads from them the one thing that
/// varies between models: the system prompt used when the conversation brings none (Qwen2.5:
/// "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."; Qwen3: none). Tool
/// calls are not rendered.
public struct ChatTemplate: Sendable, Equatable {
    /// The system prompt used when the conversation has no system message; nil for none.
    public let defaultSystemPrompt: String?

    public init(defaultSystemPrompt: String?) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Recognises a ChatML Jinja template and takes its default system prompt; nil when the
    /// template is not ChatML.
    ///
    /// The default is the literal text the template writes between `<|im_start|>system\n` and
    /// `<|im_end|>` in the branch taken when there is no system message. It is found as the one
    /// such span that is plain text: the other spans interpolate `messages[0]['content']` and
    /// therefore contain a quote or an expression delimiter.
    public init?(jinja template: String) {
        guard template.contains("<|im_start|>"), template.contains("<|im_end|>") else { return nil }
        var found: String?
        for opener in ["<|im_start|>system\\n", "<|im_start|>system\n"] {
            var rest = template[...]
            while found == nil, let start = rest.range(of: opener) {
                rest = rest[start.upperBound...]
                guard let end = rest.range(of: "<|im_end|>") else { break }
                let span = rest[..<end.lowerBound]
                if !span.isEmpty && !span.contains(where: { "'\"{}+".contains($0) }) {
                    found = Self.unescapeJinjaLiteral(String(span))
                }
            }
        }
        defaultSystemPrompt = found
    }

    /// The conversation as text, each message in its own `<|im_start|>role … <|im_end|>` block.
    /// A leading system message replaces the default system prompt.
    ///
    /// - Parameter addGenerationPrompt: end with the header of the assistant's turn, so that the
    ///   model continues with its answer.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var out = ""
        var rest = messages[...]
        if let first = rest.first, first.role == .system {
            out += Self.block(.system, first.content)
            rest = rest.dropFirst()
        } else if let defaultSystemPrompt {
            out += Self.block(.system, defaultSystemPrompt)
        }
        for message in rest { out += Self.block(message.role, message.content) }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    /// A one-turn chat: `prompt` from the user after `system`, or after the default system
    /// prompt when `system` is nil.
    public func render(prompt: String, system: String? = nil) -> String {
        var messages: [ChatMessage] = []
        if let system { messages.append(ChatMessage(role: .system, content: system)) }
        messages.append(ChatMessage(role: .user, content: prompt))
        return render(messages)
    }

    private static func block(_ role: ChatMessage.Role, _ content: String) -> String {
        "<|im_start|>\(role.rawValue)\n\(content)<|im_end|>\n"
    }

    /// Resolves the escapes a Jinja string literal may hold (`\n`, `\t`, `\\`).
    private static func unescapeJinjaLiteral(_ s: String) -> String {
        var out = ""
        var escaping = false
        for c in s {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
