/// How to sample the completions of one prompt; the names follow vLLM's `SamplingParams`.
public struct SamplingParams: Codable, Sendable, Equatable {
    /// 0 is greedy decoding (argmax); otherwise logits are divided by it before the softmax.
    public var temperature: Double = 1.0
    /// Nucleus sampling: keep the most likely tokens whose probabilities sum to at least `topP`.
    public var topP: Double = 1.0
    /// Keep only the `topK` most likely tokens; 0 keeps all.
    public var topK: Int = 0
    /// Tokens to generate at most per completion.
    public var maxTokens: Int = 16
    /// Generation stops when the text ends with one of these; the string is left out of the text
    /// (and the tokens after the one that completed it are dropped). Needs a tokenizer.
    public var stop: [String] = []
    /// Generation stops after any of these tokens, which stays in the output.
    public var stopTokenIds: [Int32] = []
    /// Seed of the request's random generator; nil draws one from the engine's seeded generator.
    public var seed: UInt64? = nil
    /// Completions per prompt; they share the prompt's KV blocks.
    public var n: Int = 1
    /// When > 0, each generated position also reports this many most likely tokens with their
    /// log-probabilities under the model's unmodified distribution.
    public var logprobs: Int = 0

    public init(temperature: Double = 1.0, topP: Double = 1.0, topK: Int = 0, maxTokens: Int = 16,
                stop: [String] = [], stopTokenIds: [Int32] = [], seed: UInt64? = nil, n: Int = 1, logprobs: Int = 0) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.maxTokens = maxTokens
        self.stop = stop
        self.stopTokenIds = stopTokenIds
        self.seed = seed
        self.n = n
        self.logprobs = logprobs
    }

    /// Greedy decoding of up to `maxTokens` tokens.
    public static func greedy(maxTokens: Int = 16) -> SamplingParams { SamplingParams(temperature: 0, maxTokens: maxTokens) }

    public var isGreedy: Bool { temperature == 0 }

    /// Throws `EngineError.invalidParameter` naming the first field out of range.
    public func validate() throws {
        func fail(_ name: String, _ value: Any, _ expected: String) -> EngineError {
            .invalidParameter(name: name, value: "\(value)", expected: expected)
        }
        guard temperature.isFinite && temperature >= 0 else { throw fail("temperature", temperature, "a finite number >= 0") }
        guard topP > 0 && topP <= 1 else { throw fail("topP", topP, "a number in (0, 1]") }
        guard topK >= 0 else { throw fail("topK", topK, "0 (all tokens) or a positive count") }
        guard maxTokens >= 1 else { throw fail("maxTokens", maxTokens, "at least 1") }
        guard n >= 1 && n <= 1024 else { throw fail("n", n, "1...1024") }
        guard logprobs >= 0 && logprobs <= 100 else { throw fail("logprobs", logprobs, "0...100") }
        for s in stop where s.isEmpty { throw fail("stop", "\"\"", "non-empty strings") }
    }
}
