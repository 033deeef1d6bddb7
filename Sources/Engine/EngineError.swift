import Transformer

/// Why the engine refused a request or a configuration. Every case names what was expected and
/// what was found; after any of them the engine is unchanged and still usable.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case noPrompts
    case emptyPrompt(index: Int)
    case promptTooLong(index: Int, tokens: Int, contextLength: Int)
    case tokenOutOfRange(index: Int, token: Int32, vocabularySize: Int)
    case invalidParameter(name: String, value: String, expected: String)
    case stopStringsNeedTokenizer
    case textPromptsNeedTokenizer
    case vocabularyMismatch(target: Int, draft: Int)
    case duplicateRequestId(String)
    case unknownRequest(String)

    public var description: String {
        switch self {
        case .noPrompts: "no prompts were given"
        case let .emptyPrompt(i): "prompt \(i) has no tokens"
        case let .promptTooLong(i, n, limit):
            "prompt \(i) has \(n) tokens; the model's context window holds \(limit), and at least one must be left to generate"
        case let .tokenOutOfRange(i, t, v): "prompt \(i) contains token id \(t), outside the vocabulary 0..<\(v)"
        case let .invalidParameter(name, value, expected): "\(name) = \(value) is invalid: expected \(expected)"
        case .stopStringsNeedTokenizer: "stop strings need a tokenizer to detokenize the output; give the engine one or use stop token ids"
        case .textPromptsNeedTokenizer: "text prompts need a tokenizer; give the engine one or pass token ids"
        case let .vocabularyMismatch(t, d):
            "the draft model's vocabulary (\(d) tokens) differs from the target's (\(t)); speculative decoding needs the same vocabulary"
        case let .duplicateRequestId(id): "a request with id \(id) is already in the engine"
        case let .unknownRequest(id): "no request with id \(id) is in the engine"
        }
    }
}
