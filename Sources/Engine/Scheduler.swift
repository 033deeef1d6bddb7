import Compute
import Transformer

/// One engine step: which sequences run, with which tokens; then verification and emission.
///
/// Policy (vLLM v1's, simplified): running sequences decode first; when their KV blocks do not
/// fit, unused prefix-cache blocks are evicted, then the most recently admitted request is
/// preempted (its blocks freed; it goes back to the head of the queue and is recomputed later, its
/// tokens and random state kept). Waiting requests are admitted in arrival order while sequences,
/// the step's token budget and blocks allow; the head of the queue is never skipped, so nothing
/// starves, and a request that cannot fit even alone is aborted with the reason rather than
/// waiting forever.
extension LLMEngine {
    private enum Work {
        case prefill(RequestState, [SequenceState], item: Int?)
        case decode(RequestState, SequenceState, Proposal, item: Int)
    }

    /// Runs one step; returns the requests that finished in it (including aborted ones).
    public func step() throws -> [RequestOutput] {
        if model.weightVersion != prefixCacheWeightVersion {
            invalidatePrefixCache()
            prefixCacheWeightVersion = model.weightVersion
        }
        var finished = abortedOutputs
        abortedOutputs = []
        let now = EngineClock.now
        let bs = cache.blockSize
        func blocks(_ tokens: Int) -> Int { (tokens + bs - 1) / bs }
        var available: Int { cache.freeBlockCount + (prefixCache?.evictableCount ?? 0) }

        // 1. Decoding sequences and their drafts, preempting until their blocks fit.
        func draftCount(_ r: RequestState, _ s: SequenceState) -> Int {
            guard proposer != nil else { return 0 }
            let total = r.promptTokens.count + s.output.count
            return max(0, min(numSpeculativeTokens, r.params.maxTokens - s.output.count - 1, model.config.contextLength - total - 1))
        }
        // The draft's blocks count too: if drafting depended on what else runs, a seeded sampled
        // request would draw its random numbers differently alone and in a crowd.
        let draftCache = (proposer as? DraftModelProposer)?.cache
        var speculate = true
        while true {
            var need = 0, draftNeed = 0
            for r in running {
                for s in r.unfinished {
                    let k = speculate ? draftCount(r, s) : 0
                    let total = r.promptTokens.count + s.output.count
                    need += max(0, blocks(total + k) - s.kv!.blockTable.count)
                    if k > 0 && draftCache != nil { draftNeed += max(0, blocks(total + k - 1) - (s.draftKV?.blockTable.count ?? 0)) }
                }
            }
            if need <= available && draftNeed <= (draftCache?.freeBlockCount ?? 0) { break }
            if running.count > 1 {
                preempt(running.removeLast())
            } else if speculate {
                speculate = false
            } else {
                let r = running.removeFirst()
                finishAborted(r, reason: "the KV cache (\(cache.blockCount) blocks of \(bs) tokens) cannot hold this request's \(r.unfinished.count) sequences")
                finished += abortedOutputs
                abortedOutputs = []
                break
            }
        }
        var work: [Work] = []
        var items: [ForwardItem] = []
        let decoding = running.flatMap { r in r.unfinished.map { (r, $0) } }
        var proposals = [Proposal](repeating: Proposal(), count: decoding.count)
        if let proposer, speculate {
            let requests = decoding.map { r, s in ProposalRequest(sequence: s, context: r.context(s), count: draftCount(r, s), params: r.params,
                                                                 group: ObjectIdentifier(r), promptLength: r.promptTokens.count) }
            proposals = try proposer.propose(requests)
        }
        var budget = config.maxNumBatchedTokens
        for ((r, s), p) in zip(decoding, proposals) {
            let tokens = [s.output.last!] + p.tokens
            work.append(.decode(r, s, p, item: items.count))
            items.append(ForwardItem(tokens: tokens, sequence: s.kv!, logits: p.tokens.isEmpty ? .last : .all))
            budget -= tokens.count
        }
        var blocksNeeded = 0
        for item in items { blocksNeeded += max(0, blocks(item.sequence.length + item.tokens.count) - item.sequence.blockTable.count) }

        // 2. Admissions.
        var runningSeqs = decoding.count
        while let r = waiting.first, runningSeqs == 0 || runningSeqs + r.unfinished.count <= config.maxNumSeqs {
            let seqs = r.isFresh ? [r.sequences[0]] : r.unfinished
            var feeds: [[Int32]] = [], hits = 0, need = 0
            for s in seqs {
                let context = r.context(s)
                // A fresh prompt needs logits after its last token; a resumed one only needs its
                // KV up to the pending token.
                let end = r.isFresh ? context.count : context.count - 1
                let kv = SequenceKV(cache: cache)
                if let prefixCache { kv.adopt(prefixCache.match(context, maxBlocks: (end - 1) / bs)) }
                s.kv = kv
                if s === seqs[0] { hits = kv.length }
                feeds.append(Array(context[kv.length..<end]))
                need += blocks(end) - kv.blockTable.count
            }
            if r.isFresh { need += r.sequences.count - 1 }  // forks copy the prompt's partial block
            let tokens = feeds.reduce(0) { $0 + $1.count }
            let alone = items.isEmpty && running.isEmpty
            if (tokens > budget && !alone) || blocksNeeded + need > available {
                for s in seqs { s.freeKV() }
                if alone && blocksNeeded + need > available {
                    waiting.removeFirst()
                    finishAborted(r, reason: "the prompt needs \(need) KV blocks but the cache has only \(cache.blockCount) blocks of \(bs) tokens")
                    finished += abortedOutputs
                    abortedOutputs = []
                    continue
                }
                break
            }
            waiting.removeFirst()
            running.append(r)
            runningSeqs += r.unfinished.count
            budget -= tokens
            blocksNeeded += need
            if r.metrics.firstScheduledTime == nil { r.metrics.firstScheduledTime = now }
            if r.isFresh { r.numCachedTokens = hits }
            if let prefixCache, let kv = seqs[0].kv {
                // Reserve the prompt's blocks now and publish its full ones, so that a request
                // admitted later in this step with the same prefix reads them instead of computing
                // them again: the forward pass stores every token's keys and values of a layer
                // before any attention of that layer reads them.
                let end = kv.length + feeds[0].count, own = blocks(end) - kv.blockTable.count
                if own > cache.freeBlockCount { prefixCache.evict(own - cache.freeBlockCount) }
                let ok = kv.reserve(upTo: end)
                precondition(ok, "blocks were counted above")
                blocksNeeded -= own
                prefixCache.register(r.promptTokens, sequence: kv, length: end)
            }
            var first: Int? = nil
            for (s, feed) in zip(seqs, feeds) where !feed.isEmpty {
                if first == nil { first = items.count }
                items.append(ForwardItem(tokens: feed, sequence: s.kv!, logits: .last))
            }
            work.append(.prefill(r, seqs, item: r.isFresh ? first : nil))
        }

        // 3. One target pass over everything.
        let freeNow = cache.freeBlockCount
        if blocksNeeded > freeNow { prefixCache?.evict(blocksNeeded - freeNow) }
        let logits: Logits?
        do {
            logits = items.isEmpty ? nil : try model.forward(items)
        } catch {
            invalidatePrefixCache()  // it may name blocks this pass was to compute
            throw error
        }
        lastStep = (items: items.count, tokens: items.reduce(0) { $0 + $1.tokens.count })
        measurePeaks()

        // 4. Sampling, verification, emission. The greedy choices of every row a greedy request
        // will read are found first, in parallel (each is two passes over the vocabulary).
        if let logits { greedyChoices = Self.greedyChoices(logits, rows: greedyRows(work, logits)) }
        defer { greedyChoices = [:] }
        for w in work {
            switch w {
            case let .prefill(r, seqs, item):
                guard let item, let logits else { continue }
                let s0 = seqs[0]
                for s in r.sequences.dropFirst() {
                    s.kv = SequenceKV(cache: cache)
                    let ok = s.kv!.fork(from: s0.kv!)
                    precondition(ok, "fork blocks were counted at admission")
                }
                measurePeaks([r])  // before a completion that stops at once frees its blocks
                let row = logits.last(of: item)
                for s in r.sequences { emitSampled(r, s, row: row) }
            case let .decode(r, s, p, item):
                verify(r, s, p, rows: logits!.rowRanges[item].map { logits!.row($0) })
            }
        }
        measurePeaks()
        for r in running where r.isFinished { finished.append(output(of: r)) }
        running.removeAll { $0.isFinished }
        return finished
    }

    private func preempt(_ r: RequestState) {
        for s in r.sequences {
            proposer?.release(s)
            s.freeKV()
        }
        r.numPreemptions += 1
        waiting.insert(r, at: 0)
    }

    /// The logits rows that greedy requests will read this step.
    private func greedyRows(_ work: [Work], _ logits: Logits) -> [Int] {
        work.flatMap { w -> [Int] in
            switch w {
            case let .prefill(r, _, item): if let item, r.params.isGreedy { return [logits.rowRanges[item].upperBound - 1] }
            case let .decode(r, _, _, item): if r.params.isGreedy { return Array(logits.rowRanges[item]) }
            }
            return []
        }
    }

    /// Argmax and its log-probability for each of `rows`, keyed by the row's first index in
    /// `logits.values` (the `startIndex` of its slice).
    private static func greedyChoices(_ logits: Logits, rows: [Int]) -> [Int: (token: Int32, logprob: Double)] {
        var choices = [(token: Int32, logprob: Double)](repeating: (0, 0), count: rows.count)
        choices.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(count: rows.count) { range in
                for i in range { out[i] = LogSoftmax.greedy(logits.row(rows[i])) }
            }
        }
        return Dictionary(uniqueKeysWithValues: zip(rows.map { $0 * logits.vocabularySize }, choices))
    }

    /// The greedy token of a row and its log-probability, found in parallel for this step's rows.
    private func greedy(_ row: ArraySlice<Float>) -> (token: Int32, logprob: Double) {
        greedyChoices[row.startIndex] ?? LogSoftmax.greedy(row)
    }

    /// Samples one token from a row of target logits (no drafts) and emits it.
    private func emitSampled(_ r: RequestState, _ s: SequenceState, row: ArraySlice<Float>) {
        let token: Int32, logprob: Double
        if r.params.isGreedy {
            (token, logprob) = greedy(row)
        } else {
            let p = TokenDistribution(logits: row, temperature: r.params.temperature, topK: r.params.topK, topP: r.params.topP)
            token = p.sample(&s.rng)
            logprob = p.logProbability(token)
        }
        emit(r, s, token, logprob: logprob, row: row)
    }

    /// Checks the drafts against the target's k + 1 rows, emits accepted + 1 tokens (fewer when a
    /// stop comes first) and rolls the KV back to what was kept.
    private func verify(_ r: RequestState, _ s: SequenceState, _ p: Proposal, rows: [ArraySlice<Float>]) {
        let start = r.promptTokens.count + s.output.count - 1  // KV length before this step
        s.stats.decodeSteps += 1
        guard !p.tokens.isEmpty else {
            emitSampled(r, s, row: rows[0])
            return
        }
        var emitted: [(Int32, Double, ArraySlice<Float>)] = []
        var accepted = 0
        for (j, draft) in p.tokens.enumerated() {
            let row = rows[j]
            if r.params.isGreedy {
                let (t, logprob) = greedy(row)
                emitted.append((t, logprob, row))
                if t != draft { break }
            } else {
                let target = TokenDistribution(logits: row, temperature: r.params.temperature, topK: r.params.topK, topP: r.params.topP)
                let verdict = RejectionSampler.verify(draft: draft, target: target, draft: p.distributions?[j], &s.rng)
                if case let .rejected(t) = verdict {
                    emitted.append((t, target.logProbability(t), row))
                    break
                }
                emitted.append((draft, target.logProbability(draft), row))
            }
            accepted += 1
        }
        if accepted == p.tokens.count {
            let row = rows[p.tokens.count]
            if r.params.isGreedy {
                let (t, logprob) = greedy(row)
                emitted.append((t, logprob, row))
            } else {
                let target = TokenDistribution(logits: row, temperature: r.params.temperature, topK: r.params.topK, topP: r.params.topP)
                let t = target.sample(&s.rng)
                emitted.append((t, target.logProbability(t), row))
            }
        }
        s.stats.specDecode.record(drafted: p.tokens.count, accepted: accepted)
        // Keep the pending token and the accepted drafts; the last emitted token is the new pending one.
        s.kv!.truncate(to: start + 1 + accepted)
        (proposer as? DraftModelProposer)?.rollBack(s, validLength: start + 1 + accepted)
        for (t, lp, row) in emitted where !s.isFinished { emit(r, s, t, logprob: lp, row: row) }
    }

    /// Appends a token to a completion and applies the stop conditions.
    private func emit(_ r: RequestState, _ s: SequenceState, _ token: Int32, logprob: Double, row: ArraySlice<Float>) {
        let now = EngineClock.now
        s.output.append(token)
        s.logprobs.append(logprob)
        if r.params.logprobs > 0 {
            s.topLogprobs.append(LogSoftmax.top(row, count: r.params.logprobs).map { TokenLogprob(token: $0.token, logprob: $0.logprob) })
        }
        if s.stats.firstTokenTime == nil { s.stats.firstTokenTime = now }
        s.stats.lastTokenTime = now
        if r.metrics.firstTokenTime == nil { r.metrics.firstTokenTime = now }
        r.metrics.lastTokenTime = now
        if (!ignoreEOS && eosTokenIds.contains(token)) || r.params.stopTokenIds.contains(token) {
            s.finishReason = .stop
            s.stopReason = tokenizer.map { $0.decode([token]) } ?? "token \(token)"
        } else if !r.params.stop.isEmpty, let tokenizer {
            let text = tokenizer.decode(s.output, skipSpecialTokens: true)
            for stop in r.params.stop {
                if let range = text.range(of: stop) {
                    s.finishReason = .stop
                    s.stopReason = stop
                    s.truncatedText = String(text[..<range.lowerBound])
                    break
                }
            }
        }
        if !s.isFinished && (s.output.count >= r.params.maxTokens || r.promptTokens.count + s.output.count >= model.config.contextLength) {
            s.finishReason = .length
        }
        if s.isFinished {
            proposer?.release(s)
            s.freeKV()
        }
    }

    /// Updates the KV peaks of running requests and their completions.
    private func measurePeaks(_ requests: [RequestState]? = nil) {
        let draftCache = (proposer as? DraftModelProposer)?.cache
        for r in requests ?? running {
            var distinct = Set<Int>(), draftBlocks = 0
            for s in r.sequences {
                let t = s.kv?.blockTable ?? [], d = s.draftKV?.blockTable.count ?? 0
                distinct.formUnion(t)
                draftBlocks += d
                s.stats.kvPeakBlocks = max(s.stats.kvPeakBlocks, t.count + d)
                s.stats.kvPeakBytes = max(s.stats.kvPeakBytes, t.count * cache.bytesPerBlock + d * (draftCache?.bytesPerBlock ?? 0))
            }
            r.kvPeakBlocks = max(r.kvPeakBlocks, distinct.count + draftBlocks)
            r.kvPeakBytes = max(r.kvPeakBytes, distinct.count * cache.bytesPerBlock + draftBlocks * (draftCache?.bytesPerBlock ?? 0))
        }
    }
}
