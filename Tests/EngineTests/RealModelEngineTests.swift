import Testing
@testable import Engine
import TestSupport
import Tokenization
import Transformer

/// The engine on the real Qwen2.5-Coder models: the 0.5B always (short generations), the 1.5B
/// target with the 0.5B draft only with SPECGRPO_TEST_TARGET=1.
struct RealModelEngineTests {
    static let prompts = [
        "What is 17 * 23? Answer with the number only.",
        "Write a Python function that reverses a string.",
        "List three primary colors, one per line.",
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
        "Explain what a hash map is in two sentences.",
        "Write a haiku about the sea.",
        "Convert 3.5 hours to minutes.",
        "Write a SQL query that counts the rows of a table named users.",
        "Give me a numbered list of four fruits.",
        "What is the capital of France, and what river runs through it?",
        "Write a bash one-liner that counts the lines of every .swift file in a directory.",
        "If a train travels 60 km in 45 minutes, what is its speed in km/h?",
        "Describe the water cycle briefly.",
        "Write a JavaScript function that returns the maximum of an array.",
        "A rectangle is 7 cm by 4 cm. What are its area and perimeter?",
        "Write a short limerick about a cat who codes.",
        "List the first eight prime numbers.",
        "Write a Swift struct for a 2D point with a distance method.",
        "Janet has 3 apples and buys 2 bags of 6 apples each. How many apples does she have?",
        "Summarize the plot of Romeo and Juliet in three sentences.",
    ]

    static func load(_ file: String) throws -> (TransformerModel, Tokenizer)? {
        guard let path = RealModels.path(file) else { return nil }
        return (try TransformerModel.load(path: path), try Tokenizer(ggufPath: path))
    }

    static func chat(_ tokenizer: Tokenizer, _ prompts: [String]) -> [[Int32]] {
        prompts.map { tokenizer.encode(tokenizer.chatTemplate!.render(prompt: $0, system: nil)) }
    }

    /// Acceptance 1 on the 0.5B as target with prompt lookup (short): the same tokens.
    @Test func ngramIsLosslessOnDraftModel() throws {
        guard let (model, tokenizer) = try Self.load(RealModels.draftFile) else { return }
        let prompts = Self.chat(tokenizer, Array(Self.prompts.prefix(4)))
        let params = SamplingParams.greedy(maxTokens: 24)
        let plain = try LLM(model: model, tokenizer: tokenizer).generate(prompts, params)
        let spec = try LLM(model: model, tokenizer: tokenizer, speculative: .ngram(numSpeculativeTokens: 5)).generate(prompts, params)
        for (a, b) in zip(plain, spec) { #expect(a.outputs[0].tokenIds == b.outputs[0].tokenIds) }
        // The engine's greedy equals the plain greedy loop.
        let cache = model.makeCache(capacityTokens: 512, precision: .f16)
        let reference = try model.generateGreedy(prompt: prompts[0], maxTokens: 24, stopTokens: LLMEngine(model: model, tokenizer: tokenizer).eosTokenIds,
                                                 sequence: SequenceKV(cache: cache))
        #expect(plain[0].outputs[0].tokenIds == reference.tokens)
        print("0.5B n-gram k=5: drafted \(spec.map(\.specDecode.draftedTokens)), accepted \(spec.map(\.specDecode.acceptedTokens))")
    }

    /// Acceptance 5: a second request sharing a 200-token prefix gets its full blocks from the
    /// cache and generates exactly what it generates uncached; after invalidation nothing is cached.
    @Test func prefixCacheOnSharedSystemPrompt() throws {
        guard let (model, tokenizer) = try Self.load(RealModels.draftFile) else { return }
        let system = String(repeating: "You are a careful assistant who answers briefly and checks arithmetic twice. ", count: 16)
        let a = tokenizer.encode(tokenizer.chatTemplate!.render(prompt: "What is 2 + 2?", system: system))
        let b = tokenizer.encode(tokenizer.chatTemplate!.render(prompt: "Name a prime number.", system: system))
        let shared = zip(a, b).prefix { $0 == $1 }.count
        #expect(shared >= 200)
        let llm = try LLM(model: model, tokenizer: tokenizer)
        let params = SamplingParams.greedy(maxTokens: 8)
        #expect(try llm.generate([a], params)[0].numCachedTokens == 0)
        let hit = try llm.generate([b], params)[0]
        #expect(hit.numCachedTokens == shared / 16 * 16)
        let uncached = try LLM(model: model, tokenizer: tokenizer, config: EngineConfig(enablePrefixCaching: false)).generate([b], params)[0]
        #expect(hit.outputs[0].tokenIds == uncached.outputs[0].tokenIds)
        llm.invalidatePrefixCache()
        #expect(try llm.generate([b], params)[0].numCachedTokens == 0)
        print("prefix cache: shared \(shared) tokens, cached \(hit.numCachedTokens)")
    }

    /// Acceptance 2 on the 0.5B: alone and among 15 others, greedy and at temperature 0.8.
    @Test(arguments: [0.0, 0.8], [false, true])
    func batchInvariance(temperature: Double, ngram: Bool) throws {
        guard let (model, tokenizer) = try Self.load(RealModels.draftFile) else { return }
        let prompts = Self.chat(tokenizer, Array(Self.prompts.prefix(16)))
        let params = SamplingParams(temperature: temperature, maxTokens: 8, seed: 1234)
        let spec: SpeculativeConfig? = ngram ? .ngram(numSpeculativeTokens: 3) : nil
        let alone = try LLM(model: model, tokenizer: tokenizer, speculative: spec).generate([prompts[3]], params)[0]
        var all = (0..<16).map { SamplingParams(temperature: 0.8, maxTokens: 4 + $0 % 5, seed: UInt64($0)) }
        all[3] = params
        let among = try LLM(model: model, tokenizer: tokenizer, speculative: spec).generate(prompts, all)[3]
        #expect(alone.outputs[0].tokenIds == among.outputs[0].tokenIds)
        #expect(alone.outputs[0].logprobs == among.outputs[0].logprobs)
    }

    @Test func stopStringsCutText() throws {
        guard let (model, tokenizer) = try Self.load(RealModels.draftFile) else { return }
        let prompt = Self.chat(tokenizer, ["Count from 1 to 10, separated by commas."])
        let llm = try LLM(model: model, tokenizer: tokenizer)
        let full = try llm.generate(prompt, .greedy(maxTokens: 30))[0].outputs[0]
        #expect(full.text.contains("4"))
        var params = SamplingParams.greedy(maxTokens: 30)
        params.stop = ["4"]
        let cut = try llm.generate(prompt, params)[0].outputs[0]
        #expect(cut.finishReason == .stop && cut.stopReason == "4")
        #expect(!cut.text.contains("4") && full.text.hasPrefix(cut.text))
        #expect(tokenizer.decode(cut.tokenIds, skipSpecialTokens: true).contains("4"))
    }

    /// The 1.5B alone on the 20 prompts, 128 tokens each, computed once for both checks below.
    static let targetAlone: (TransformerModel, Tokenizer, [[Int32]], [RequestOutput])? = {
        guard RealModels.targetEnabled, let (target, tokenizer) = try! load(RealModels.targetFile) else { return nil }
        let prompts = chat(tokenizer, Self.prompts)
        let outs = try! LLM(model: target, tokenizer: tokenizer).generate(prompts, .greedy(maxTokens: 128))
        return (target, tokenizer, prompts, outs)
    }()

    /// Acceptance 1 in full: 20 chat prompts, 128 tokens, the 1.5B alone against the 1.5B with the
    /// 0.5B draft (k = 5) and with prompt lookup (k = 5).
    @Test(arguments: ["draft", "ngram"])
    func targetWithSpeculationIsLossless(proposer: String) throws {
        guard let (target, tokenizer, prompts, plain) = Self.targetAlone, let draftPath = RealModels.path(RealModels.draftFile) else { return }
        let spec = proposer == "draft" ? SpeculativeConfig.draftModel(path: draftPath, numSpeculativeTokens: 5) : .ngram(numSpeculativeTokens: 5)
        let outs = try LLM(model: target, tokenizer: tokenizer, speculative: spec).generate(prompts, .greedy(maxTokens: 128))
        for (i, (a, b)) in zip(plain, outs).enumerated() { #expect(a.outputs[0].tokenIds == b.outputs[0].tokenIds, "prompt \(i), \(spec)") }
        let drafted = outs.reduce(0) { $0 + $1.specDecode.draftedTokens }, accepted = outs.reduce(0) { $0 + $1.specDecode.acceptedTokens }
        let generated = outs.reduce(0) { $0 + $1.stats.generatedTokens }
        print("1.5B \(proposer) k=5: \(generated) tokens identical to the 1.5B alone; \(accepted)/\(drafted) drafts accepted")
    }
}
