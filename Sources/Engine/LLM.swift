import Foundation
import Tokenization
import Transformer

/// The offline entry point, as vLLM's `LLM`: give it prompts and sampling parameters, get one
/// `RequestOutput` per prompt, in order.
public final class LLM {
    public let engine: LLMEngine

    public init(model: TransformerModel, tokenizer: Tokenizer? = nil, speculative: SpeculativeConfig? = nil,
                draftModel: TransformerModel? = nil, config: EngineConfig = EngineConfig()) throws {
        engine = try LLMEngine(model: model, tokenizer: tokenizer, config: config, speculative: speculative, draftModel: draftModel)
    }

    /// Loads the target (GGUF file or Hugging Face directory) and its tokenizer.
    public convenience init(modelPath: String, speculative: SpeculativeConfig? = nil, config: EngineConfig = EngineConfig()) throws {
        try self.init(model: try TransformerModel.load(path: modelPath), tokenizer: try Tokenizer(modelPath: modelPath),
                      speculative: speculative, config: config)
    }

    /// Generates for every prompt (token ids) with the same parameters.
    /// - Throws: `EngineError` before anything runs when any prompt or parameter is invalid.
    public func generate(_ prompts: [[Int32]], _ params: SamplingParams) throws -> [RequestOutput] {
        try generate(prompts, Array(repeating: params, count: prompts.count))
    }

    /// Generates with per-prompt parameters.
    public func generate(_ prompts: [[Int32]], _ params: [SamplingParams], texts: [String?]? = nil) throws -> [RequestOutput] {
        guard !prompts.isEmpty else { throw EngineError.noPrompts }
        precondition(params.count == prompts.count, "one SamplingParams per prompt")
        for (i, (p, sp)) in zip(prompts, params).enumerated() { try engine.validate(prompt: p, params: sp, index: i) }
        var ids: [String] = []
        for (i, (p, sp)) in zip(prompts, params).enumerated() { ids.append(try engine.addRequest(p, sp, promptText: texts?[i])) }
        var done: [String: RequestOutput] = [:]
        do {
            while done.count < ids.count {
                for out in try engine.step() { done[out.requestId] = out }
            }
        } catch {
            // Leave the engine as it was: this call's unfinished requests are aborted (their stats
            // say why) instead of surfacing in a later call.
            for id in ids where done[id] == nil { try? engine.abort(id, reason: "engine error: \(error)") }
            engine.abortedOutputs.removeAll { ids.contains($0.requestId) }
            throw error
        }
        return ids.map { done[$0]! }
    }

    /// Generates for text prompts, tokenized as is (`chat: false`) or wrapped in the chat template.
    public func generate(_ prompts: [String], _ params: SamplingParams, chat: Bool = false, system: String? = nil) throws -> [RequestOutput] {
        guard let tokenizer = engine.tokenizer else { throw EngineError.textPromptsNeedTokenizer }
        let ids = prompts.map { p in
            if chat, let template = tokenizer.chatTemplate { return tokenizer.encode(template.render(prompt: p, system: system)) }
            return tokenizer.encode(p)
        }
        return try generate(ids, Array(repeating: params, count: ids.count), texts: prompts)
    }

    /// See `LLMEngine.specDecodeStats`.
    public func specDecodeStats() -> [String: RequestStats] { engine.specDecodeStats() }

    /// Forgets every cached prefix; call after the weights change.
    public func invalidatePrefixCache() { engine.invalidatePrefixCache() }
}
