import Tokenization
import Transformer

/// The engine: requests go in with `addRequest`, each `step` runs one batched target pass over
/// every scheduled sequence (prompts being computed and sequences decoding, with their drafted
/// tokens), and finished requests come out. See `Scheduler.swift` for who runs when.
public final class LLMEngine {
    public let model: TransformerModel
    public let tokenizer: Tokenizer?
    public let config: EngineConfig
    public let speculative: SpeculativeConfig?
    /// Tokens that end a completion unless `ignoreEOS` (by default the tokenizer's EOS and the
    /// ChatML / end-of-text markers).
    public var eosTokenIds: Set<Int32>
    /// Generate through end-of-sequence tokens (for benchmarks with fixed lengths).
    public var ignoreEOS = false

    let cache: KVCache
    let prefixCache: PrefixCache?
    var proposer: Proposer?  // var so that tests can wrap it
    var waiting: [RequestState] = []
    var running: [RequestState] = []
    var finishedStats: [String: RequestStats] = [:]
    var abortedOutputs: [RequestOutput] = []
    /// Forward items and tokens of the last step (for tests of the scheduling limits).
    var lastStep = (items: 0, tokens: 0)
    private var seeds: RandomSource
    private var nextRequestId = 0
    /// The model's weight version the prefix cache was filled under; a training step bumps the
    /// model's, and the next `step` then forgets every cached prefix.
    var prefixCacheWeightVersion: Int
    /// During a step's emission: each greedy row's argmax and log-probability, by the row's first
    /// index in the logits (see `Scheduler.swift`).
    var greedyChoices: [Int: (token: Int32, logprob: Double)] = [:]

    /// - Parameters:
    ///   - draftModel: the draft for `.draftModel` speculation, when already loaded; otherwise it
    ///     is loaded from the configuration's path.
    /// - Throws: `EngineError` for an invalid configuration or a draft with another vocabulary.
    public init(model: TransformerModel, tokenizer: Tokenizer? = nil, config: EngineConfig = EngineConfig(),
                speculative: SpeculativeConfig? = nil, draftModel: TransformerModel? = nil) throws {
        try config.validate()
        try speculative?.validate()
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.speculative = speculative
        switch speculative {
        case nil: proposer = nil
        case let .ngram(minN, maxN, _): proposer = NGramProposer(minN: minN, maxN: maxN)
        case let .draftModel(path, _):
            let draft = try draftModel ?? TransformerModel.load(path: path)
            proposer = try DraftModelProposer(model: draft, targetVocabularySize: model.config.vocabularySize, config: config)
        }
        model.preparePanels()
        (proposer as? DraftModelProposer)?.model.preparePanels()
        cache = model.makeCache(capacityTokens: config.kvCapacityTokens, blockSize: config.blockSize, precision: config.kvPrecision)
        prefixCache = config.enablePrefixCaching ? PrefixCache(cache: cache) : nil
        prefixCacheWeightVersion = model.weightVersion
        seeds = RandomSource(seed: config.seed)
        eosTokenIds = tokenizer?.endOfGenerationTokenIds ?? []
    }

    public var hasUnfinishedRequests: Bool { !waiting.isEmpty || !running.isEmpty || !abortedOutputs.isEmpty }
    public var numSpeculativeTokens: Int { speculative?.numSpeculativeTokens ?? 0 }
    /// Blocks in the prefix cache (used or not).
    public var prefixCachedBlockCount: Int { prefixCache?.cachedBlockCount ?? 0 }
    public var freeKVBlockCount: Int { cache.freeBlockCount }

    /// Checks one prompt and its parameters without changing anything.
    public func validate(prompt: [Int32], params: SamplingParams, index: Int = 0) throws {
        try params.validate()
        guard !prompt.isEmpty else { throw EngineError.emptyPrompt(index: index) }
        let V = model.config.vocabularySize
        if let bad = prompt.first(where: { $0 < 0 || Int($0) >= V }) {
            throw EngineError.tokenOutOfRange(index: index, token: bad, vocabularySize: V)
        }
        guard prompt.count < model.config.contextLength else {
            throw EngineError.promptTooLong(index: index, tokens: prompt.count, contextLength: model.config.contextLength)
        }
        if !params.stop.isEmpty && tokenizer == nil { throw EngineError.stopStringsNeedTokenizer }
    }

    /// Queues a request; returns its id ("0", "1", … unless one is given).
    @discardableResult
    public func addRequest(_ prompt: [Int32], _ params: SamplingParams, id: String? = nil, promptText: String? = nil) throws -> String {
        try validate(prompt: prompt, params: params)
        let rid = id ?? String(nextRequestId)
        guard !(waiting + running).contains(where: { $0.id == rid }) else { throw EngineError.duplicateRequestId(rid) }
        if id == nil { nextRequestId += 1 }
        let seed = params.seed ?? seeds.next()
        waiting.append(RequestState(id: rid, prompt: promptText, promptTokens: prompt, params: params, seed: seed, now: EngineClock.now))
        return rid
    }

    /// Stops a request now; its output (finish reason `.abort`) comes out of the next `step`, and
    /// its stats carry `reason`.
    public func abort(_ id: String, reason: String = "aborted by the caller") throws {
        if let i = waiting.firstIndex(where: { $0.id == id }) {
            finishAborted(waiting.remove(at: i), reason: reason)
        } else if let i = running.firstIndex(where: { $0.id == id }) {
            finishAborted(running.remove(at: i), reason: reason)
        } else {
            throw EngineError.unknownRequest(id)
        }
    }

    /// Stats of the requests finished (or aborted) since the last call, keyed by request id; they
    /// are forgotten once returned.
    public func specDecodeStats() -> [String: RequestStats] {
        defer { finishedStats = [:] }
        return finishedStats
    }

    /// Forgets every cached prefix: call after the weights change.
    public func invalidatePrefixCache() { prefixCache?.invalidateAll() }

    func finishAborted(_ r: RequestState, reason: String) {
        for s in r.sequences {
            proposer?.release(s)
            s.freeKV()
            if s.finishReason == nil { s.finishReason = .abort }
        }
        r.abortReason = reason
        abortedOutputs.append(output(of: r))
    }

    /// Builds the output of a finished request and files its stats for `specDecodeStats`.
    func output(of r: RequestState) -> RequestOutput {
        var stats = RequestStats(requestId: r.id, metrics: r.metrics)
        stats.promptTokens = r.promptTokens.count
        stats.numCachedTokens = r.numCachedTokens
        stats.numPreemptions = r.numPreemptions
        stats.abortReason = r.abortReason
        stats.kvPeakBlocks = r.kvPeakBlocks
        stats.kvPeakBytes = r.kvPeakBytes
        var outputs: [CompletionOutput] = []
        for s in r.sequences {
            s.stats.generatedTokens = s.output.count
            s.stats.numCachedTokens = r.numCachedTokens
            s.stats.kvEstimateBytes = KVEstimate.bytes(tokens: r.promptTokens.count + s.output.count, config: model.config, precision: config.kvPrecision)
            stats.completions.append(s.stats)
            stats.specDecode = stats.specDecode + s.stats.specDecode
            stats.generatedTokens += s.output.count
            let text = s.truncatedText ?? tokenizer?.decode(s.output, skipSpecialTokens: true) ?? ""
            outputs.append(CompletionOutput(index: s.index, text: text, tokenIds: s.output, logprobs: s.logprobs, topLogprobs: s.topLogprobs,
                                            finishReason: s.finishReason ?? .abort, stopReason: s.stopReason, stats: s.stats))
        }
        // The prompt is counted once for the request, as its blocks are shared.
        stats.kvEstimateBytes = KVEstimate.bytes(tokens: r.promptTokens.count + stats.generatedTokens, config: model.config, precision: config.kvPrecision)
        finishedStats[r.id] = stats
        return RequestOutput(requestId: r.id, prompt: r.prompt, promptTokenIds: r.promptTokens, outputs: outputs, stats: stats)
    }
}
