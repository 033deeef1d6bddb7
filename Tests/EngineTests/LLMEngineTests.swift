import Testing
@testable import Engine
import TestSupport
import Transformer

/// The engine on the tiny random model: speculation, batching and preemption against the plain
/// greedy loop, telemetry invariants, aborts and bad input.
struct LLMEngineTests {
    static let model = try! TinyModels.load()
    static let draft = try! TinyModels.load("tiny-qwen2-tied")

    static func prompts(_ count: Int, seed: UInt64, lengths: ClosedRange<Int> = 3...40) -> [[Int32]] {
        var rng = RandomSource(seed: seed)
        return (0..<count).map { _ in
            let n = lengths.lowerBound + Int(rng.next() % UInt64(lengths.count))
            // A small alphabet makes the random model repeat itself, which gives n-grams to find.
            return (0..<n).map { _ in Int32(rng.next() % 12) }
        }
    }

    func reference(_ prompt: [Int32], maxTokens: Int) throws -> [Int32] {
        let m = Self.model
        let cache = m.makeCache(capacityTokens: 512, blockSize: 16, precision: .f16)
        return try m.generateGreedy(prompt: prompt, maxTokens: maxTokens, stopTokens: [], sequence: SequenceKV(cache: cache)).tokens
    }

    static let speculations: [SpeculativeConfig?] = [nil, .ngram(numSpeculativeTokens: 3), .ngram(minN: 2, maxN: 3, numSpeculativeTokens: 5),
                                                     .draftModel(path: "tied", numSpeculativeTokens: 4), .draftModel(path: "self", numSpeculativeTokens: 2)]

    func llm(_ spec: SpeculativeConfig?, config: EngineConfig = EngineConfig()) throws -> LLM {
        var draftModel: TransformerModel? = nil
        if case let .draftModel(path, _) = spec { draftModel = path == "self" ? Self.model : Self.draft }
        return try LLM(model: Self.model, speculative: spec, draftModel: draftModel, config: config)
    }

    /// Acceptance 1 on the tiny model: greedy output is the plain loop's, batched, with every
    /// proposer, also when a small KV cache forces preemptions.
    @Test(arguments: Array(speculations.indices))
    func greedyIsLosslessBatchedAndPreempted(spec: Int) throws {
        let prompts = Self.prompts(10, seed: 1)
        let expected = try prompts.map { try reference($0, maxTokens: 40) }
        for config in [EngineConfig(), EngineConfig(maxNumSeqs: 4, kvCapacityTokens: 192, blockSize: 4)] {
            let outs = try llm(Self.speculations[spec], config: config).generate(prompts, .greedy(maxTokens: 40))
            for (o, e) in zip(outs, expected) { #expect(o.outputs[0].tokenIds == e, "\(String(describing: Self.speculations[spec])) \(config.kvCapacityTokens)") }
            if config.kvCapacityTokens == 192 { #expect(outs.contains { $0.stats.numPreemptions > 0 }) }
            if Self.speculations[spec] != nil { #expect(outs.contains { $0.specDecode.acceptedTokens > 0 }) }
        }
    }

    @Test func selfDraftAcceptsEverythingGreedy() throws {
        let outs = try llm(.draftModel(path: "self", numSpeculativeTokens: 3)).generate(Self.prompts(4, seed: 2), .greedy(maxTokens: 30))
        for o in outs {
            #expect(o.specDecode.acceptRate == 1)
            #expect(o.specDecode.meanAcceptanceLength == 4)
        }
    }

    /// Acceptance 2: a seeded request gives the same tokens alone and among 15 others.
    @Test(arguments: [0.0, 0.8], Array(speculations.indices))
    func batchInvariance(temperature: Double, spec: Int) throws {
        let prompts = Self.prompts(16, seed: 3)
        let params = SamplingParams(temperature: temperature, maxTokens: 24, seed: 42)
        let alone = try llm(Self.speculations[spec]).generate([prompts[5]], params)[0]
        let others = (0..<16).map { i in SamplingParams(temperature: i % 2 == 0 ? 0 : 1.0, topK: i % 3 == 0 ? 5 : 0, maxTokens: 10 + i, seed: UInt64(i), n: 1 + i % 3) }
        var params16 = others
        params16[5] = params
        let among = try llm(Self.speculations[spec], config: EngineConfig(maxNumSeqs: 24)).generate(prompts, params16)[5]
        #expect(alone.outputs[0].tokenIds == among.outputs[0].tokenIds)
        #expect(alone.outputs[0].logprobs == among.outputs[0].logprobs)
    }

    /// A seeded sampled request is reproduced when preemption recomputes it.
    @Test func sampledOutputSurvivesPreemption() throws {
        let prompts = Self.prompts(8, seed: 4)
        let params = SamplingParams(temperature: 0.9, maxTokens: 40, seed: 7, n: 2)
        for spec in Self.speculations {
            let big = try llm(spec, config: EngineConfig(blockSize: 4)).generate(prompts, params)
            let small = try llm(spec, config: EngineConfig(maxNumSeqs: 6, kvCapacityTokens: 200, blockSize: 4)).generate(prompts, params)
            #expect(small.contains { $0.stats.numPreemptions > 0 })
            for (a, b) in zip(big, small) { #expect(a.outputs.map(\.tokenIds) == b.outputs.map(\.tokenIds)) }
        }
    }

    @Test func nCompletionsShareThePrompt() throws {
        let prompt = Self.prompts(1, seed: 5, lengths: 37...37)[0]
        let engine = try LLMEngine(model: Self.model, config: EngineConfig(blockSize: 4))
        try engine.addRequest(prompt, SamplingParams(temperature: 1, maxTokens: 2, seed: 1, n: 4))
        while engine.hasUnfinishedRequests { _ = try engine.step() }
        let stats = engine.specDecodeStats()["0"]!
        // 37 tokens: 9 full shared blocks + 4 own partial copies (after the first token each needs its own).
        #expect(stats.kvPeakBlocks == 9 + 4)
        #expect(stats.completions.allSatisfy { $0.kvPeakBlocks == 10 })
        let greedy = try llm(nil).generate([prompt], SamplingParams(temperature: 0, maxTokens: 12, n: 3))[0]
        #expect(Set(greedy.outputs.map(\.tokenIds)).count == 1)
        let sampled = try llm(nil).generate([prompt], SamplingParams(temperature: 1, maxTokens: 12, seed: 3, n: 3))[0]
        #expect(Set(sampled.outputs.map(\.tokenIds)).count > 1)
    }

    /// Acceptance 4: telemetry invariants over many random runs.
    @Test func telemetryInvariants() throws {
        var rng = RandomSource(seed: 99)
        for run in 0..<40 {
            let spec = Self.speculations[Int(rng.next() % UInt64(Self.speculations.count))]
            let llm = try llm(spec, config: EngineConfig(maxNumSeqs: 1 + Int(rng.next() % 8), kvCapacityTokens: 256 + Int(rng.next() % 512), blockSize: 4))
            let prompts = Self.prompts(1 + Int(rng.next() % 6), seed: rng.next())
            let params = prompts.map { _ in
                SamplingParams(temperature: rng.next() % 2 == 0 ? 0 : 0.7, topP: rng.next() % 3 == 0 ? 0.9 : 1, maxTokens: 1 + Int(rng.next() % 30),
                               stopTokenIds: rng.next() % 2 == 0 ? [Int32(rng.next() % 12)] : [], seed: rng.next(), n: 1 + Int(rng.next() % 3))
            }
            let outs = try llm.generate(prompts, params)
            let popped = llm.specDecodeStats()
            #expect(popped.count == prompts.count && llm.specDecodeStats().isEmpty, "run \(run): stats popped on read")
            for (o, p) in zip(outs, params) {
                #expect(popped[o.requestId] == o.stats)
                #expect(o.outputs.count == p.n)
                var sum = SpecDecodeStats()
                for c in o.outputs {
                    let s = c.stats.specDecode
                    sum = sum + s
                    #expect(s.acceptedTokens <= s.draftedTokens)
                    #expect(s.acceptedPerPosition.reduce(0, +) == s.acceptedTokens)
                    #expect(s.acceptedPerPosition == s.acceptedPerPosition.sorted(by: >=), "accepted at i implies accepted before i")
                    #expect((s.acceptRate == nil) == (s.draftedTokens == 0))
                    if spec == nil { #expect(s.draftedTokens == 0 && s.acceptRate == nil) }
                    #expect(c.tokenIds.count == c.stats.generatedTokens && c.logprobs.count == c.tokenIds.count)
                    #expect(c.tokenIds.count >= 1 && c.tokenIds.count <= p.maxTokens)
                    // One token from the prompt pass, then accepted + 1 per step, unless a stop cut a step short.
                    let emitted = 1 + c.stats.decodeSteps + s.acceptedTokens
                    if c.finishReason == .stop {
                        #expect(c.tokenIds.count <= emitted)
                        #expect(p.stopTokenIds.contains(c.tokenIds.last!))
                    } else {
                        #expect(c.finishReason == .length && c.tokenIds.count == emitted && c.tokenIds.count == p.maxTokens)
                    }
                    #expect(c.stats.firstTokenTime! <= c.stats.lastTokenTime!)
                    #expect(c.stats.kvPeakBytes > 0 && c.stats.kvEstimateBytes > 0)
                }
                #expect(sum == o.specDecode)
                #expect(o.metrics.queuedTime <= o.metrics.firstScheduledTime! && o.metrics.firstScheduledTime! <= o.metrics.firstTokenTime!)
                #expect(o.metrics.firstTokenTime! <= o.metrics.lastTokenTime! && o.metrics.latency! >= 0)
                #expect(o.stats.generatedTokens == o.outputs.reduce(0) { $0 + $1.tokenIds.count })
                #expect(o.stats.kvPeakBlocks >= o.outputs.map(\.stats.kvPeakBlocks).max()!)
                #expect(o.stats.abortReason == nil)
            }
        }
    }

    @Test func abortedRequestIsReportedWithReason() throws {
        let engine = try LLMEngine(model: Self.model, speculative: .ngram(numSpeculativeTokens: 2))
        let prompts = Self.prompts(3, seed: 6)
        for p in prompts { try engine.addRequest(p, .greedy(maxTokens: 50)) }
        _ = try engine.step()
        try engine.abort("1", reason: "client went away")
        try engine.abort("2")
        #expect(throws: EngineError.unknownRequest("9")) { try engine.abort("9") }
        var outs: [RequestOutput] = []
        while engine.hasUnfinishedRequests { outs += try engine.step() }
        let byId = Dictionary(uniqueKeysWithValues: outs.map { ($0.requestId, $0) })
        #expect(byId["1"]!.outputs[0].finishReason == .abort && byId["1"]!.outputs[0].tokenIds.count == 1)
        #expect(byId["0"]!.outputs[0].finishReason == .length)
        let stats = engine.specDecodeStats()
        #expect(stats["1"]!.abortReason == "client went away" && stats["1"]!.aborted)
        #expect(stats["2"]!.aborted && stats["0"]!.abortReason == nil)
        #expect(engine.specDecodeStats().isEmpty)
        #expect(engine.freeKVBlockCount + engine.prefixCachedBlockCount == engine.cache.blockCount)
    }

    /// Acceptance 7: bad input throws a clear error, and the engine still works afterwards.
    @Test func badInputLeavesEngineUsable() throws {
        let llm = try llm(.ngram(numSpeculativeTokens: 2))
        let good: [Int32] = [1, 2, 3]
        #expect(throws: EngineError.noPrompts) { try llm.generate([[Int32]](), .greedy()) }
        #expect(throws: EngineError.emptyPrompt(index: 1)) { try llm.generate([good, []], .greedy()) }
        #expect(throws: EngineError.promptTooLong(index: 1, tokens: 300, contextLength: 256)) {
            try llm.generate([good, [Int32](repeating: 1, count: 300)], .greedy())
        }
        #expect(throws: EngineError.tokenOutOfRange(index: 0, token: 128, vocabularySize: 128)) { try llm.generate([[1, 128]], .greedy()) }
        #expect(throws: EngineError.self) { try llm.generate([good], .greedy(maxTokens: 0)) }
        #expect(throws: EngineError.self) { try llm.generate([good], .greedy(maxTokens: -5)) }
        #expect(throws: EngineError.stopStringsNeedTokenizer) { try llm.generate([good], SamplingParams(maxTokens: 3, stop: ["x"])) }
        #expect(throws: EngineError.self) { try LLM(model: Self.model, speculative: .ngram(numSpeculativeTokens: 0)) }
        #expect(throws: EngineError.self) { try LLM(model: Self.model, speculative: .ngram(numSpeculativeTokens: 64)) }
        let out = try llm.generate([good], .greedy(maxTokens: 5))
        #expect(out[0].outputs[0].tokenIds == (try reference(good, maxTokens: 5)))
        // A prompt that fills the context stops at the window's end.
        let long = try llm.generate([[Int32](repeating: 3, count: 250)], .greedy(maxTokens: 20))
        #expect(long[0].outputs[0].tokenIds.count == 6 && long[0].outputs[0].finishReason == .length)
        // A request too big for the KV cache is aborted with the reason, not left waiting.
        let tiny = try LLM(model: Self.model, config: EngineConfig(kvCapacityTokens: 16, blockSize: 4))
        let r = try tiny.generate([[Int32](repeating: 2, count: 40), good], .greedy(maxTokens: 4))
        #expect(r[0].stats.aborted && r[0].outputs[0].finishReason == .abort)
        #expect(r[1].outputs[0].tokenIds.count == 4)
    }

    /// Acceptance 5 on the tiny model: shared full blocks come from the prefix cache and change nothing.
    @Test func prefixCacheHitsAreExact() throws {
        let prefix = Self.prompts(1, seed: 8, lengths: 42...42)[0]
        let second = prefix + [5, 6, 7]
        let cached = try LLM(model: Self.model, config: EngineConfig(blockSize: 4))
        let plain = try LLM(model: Self.model, config: EngineConfig(blockSize: 4, enablePrefixCaching: false))
        let first = try cached.generate([prefix + [1, 1]], .greedy(maxTokens: 8))[0]
        #expect(first.numCachedTokens == 0)
        let hit = try cached.generate([second], .greedy(maxTokens: 8))[0]
        #expect(hit.numCachedTokens == 40)  // 42 shared tokens = 10 full blocks of 4
        #expect(hit.outputs[0].tokenIds == (try plain.generate([second], .greedy(maxTokens: 8)))[0].outputs[0].tokenIds)
        #expect(hit.outputs[0].stats.numCachedTokens == 40)
        cached.invalidatePrefixCache()
        #expect(try cached.generate([second], .greedy(maxTokens: 8))[0].numCachedTokens == 0)
        // The whole prompt cached: the last block is recomputed for the logits.
        #expect(try cached.generate([second], .greedy(maxTokens: 8))[0].numCachedTokens == 44)
    }

    /// Requests admitted in the same step share the prefix too: the first one's full prompt
    /// blocks are published when it is admitted, and the others read them in the same forward
    /// pass. Their tokens equal those of each prompt run alone without a cache.
    @Test func prefixSharedWithinOneStep() throws {
        let prefix = Self.prompts(1, seed: 12, lengths: 42...42)[0]
        let prompts = (0..<4).map { prefix + [Int32(5 + $0), 9] }
        let cached = try LLM(model: Self.model, config: EngineConfig(blockSize: 4))
        let plain = try LLM(model: Self.model, config: EngineConfig(blockSize: 4, enablePrefixCaching: false))
        let together = try cached.generate(prompts, .greedy(maxTokens: 8))
        #expect(together.map(\.numCachedTokens) == [0, 40, 40, 40])  // 42 shared tokens = 10 full blocks of 4
        for (prompt, output) in zip(prompts, together) {
            #expect(output.outputs[0].tokenIds == (try plain.generate([prompt], .greedy(maxTokens: 8)))[0].outputs[0].tokenIds)
        }
    }

    /// A training step that changes the weights in place (the model's weight version moves on)
    /// makes the engine forget every cached prefix before its next step.
    @Test func weightChangeInvalidatesThePrefixCache() throws {
        let model = try TinyModels.load()  // its own instance: the version change must not reach other tests
        let prompt = Self.prompts(1, seed: 9, lengths: 30...30)[0]
        let llm = try LLM(model: model, config: EngineConfig(blockSize: 4))
        _ = try llm.generate([prompt + [1]], .greedy(maxTokens: 4))
        #expect(try llm.generate([prompt + [2]], .greedy(maxTokens: 4))[0].numCachedTokens == 28)
        model.weightsDidChange()
        #expect(try llm.generate([prompt + [3]], .greedy(maxTokens: 4))[0].numCachedTokens == 0)
        #expect(try llm.generate([prompt + [4]], .greedy(maxTokens: 4))[0].numCachedTokens == 28)
    }

    @Test func vocabularyMismatchIsRefused() throws {
        guard let path = RealModels.path(RealModels.draftFile) else { return }
        #expect(throws: EngineError.vocabularyMismatch(target: 128, draft: 151_936)) {
            try LLM(model: Self.model, speculative: .draftModel(path: path, numSpeculativeTokens: 3))
        }
    }
}

extension LLMEngineTests {
    /// n completions compute the prompt once in the draft too, and stay lossless.
    @Test func draftSharesThePromptAcrossCompletions() throws {
        let prompt = Self.prompts(1, seed: 31, lengths: 60...60)[0]
        let llm = try llm(.draftModel(path: "tied", numSpeculativeTokens: 3))
        let greedy = try llm.generate([prompt], SamplingParams(temperature: 0, maxTokens: 20, n: 4))[0]
        let expected = try reference(prompt, maxTokens: 20)
        #expect(greedy.outputs.allSatisfy { $0.tokenIds == expected })
        let draft = llm.engine.proposer as! DraftModelProposer
        // One prompt pass (60) plus each completion's own tokens, not four prompt passes (240).
        #expect(draft.tokensRun < 60 + 4 * 20 * 3)
        #expect(draft.tokensRun >= 60)
        let sampled = try llm.generate([prompt], SamplingParams(temperature: 0.9, maxTokens: 20, seed: 5, n: 4))[0]
        let alone = try self.llm(.draftModel(path: "tied", numSpeculativeTokens: 3)).generate([prompt], SamplingParams(temperature: 0.9, maxTokens: 20, seed: 5, n: 4))[0]
        #expect(sampled.outputs.map(\.tokenIds) == alone.outputs.map(\.tokenIds))
    }
}
