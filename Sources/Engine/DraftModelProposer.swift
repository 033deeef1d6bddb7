import Transformer

/// A smaller model with the target's vocabulary drafts k tokens per sequence, one batched draft
/// pass per drafted position. Each sequence keeps its own draft KV; before drafting it catches up
/// on the tokens the target accepted since (or on the whole context after admission), and after
/// verification `rollBack` drops the rejected drafts.
final class DraftModelProposer: Proposer {
    let model: TransformerModel
    let cache: KVCache

    /// - Throws: `EngineError.vocabularyMismatch` when the vocabularies differ.
    init(model: TransformerModel, targetVocabularySize: Int, config: EngineConfig) throws {
        guard model.config.vocabularySize == targetVocabularySize else {
            throw EngineError.vocabularyMismatch(target: targetVocabularySize, draft: model.config.vocabularySize)
        }
        self.model = model
        cache = model.makeCache(capacityTokens: config.kvCapacityTokens, blockSize: config.blockSize, precision: config.kvPrecision)
    }

    func propose(_ requests: [ProposalRequest]) throws -> [Proposal] {
        var proposals = [Proposal](repeating: Proposal(), count: requests.count)
        // Sequences that can draft this step: enough context left and enough draft blocks.
        var active: [Int] = []
        var blocksLeft = cache.freeBlockCount
        for (i, r) in requests.enumerated() where r.count > 0 {
            let k = min(r.count, model.config.contextLength - r.context.count)
            guard k > 0 else { continue }
            let seq = r.sequence
            if seq.draftKV == nil { seq.draftKV = SequenceKV(cache: cache) }
            let kv = seq.draftKV!
            let needed = (r.context.count + k - 1 + cache.blockSize - 1) / cache.blockSize - kv.blockTable.count
            guard needed <= blocksLeft else { continue }  // no room: this sequence decodes without drafts
            blocksLeft -= max(0, needed)
            active.append(i)
            if !r.params.isGreedy { proposals[i].distributions = [] }
        }
        guard !active.isEmpty else { return proposals }
        try sharePrompts(requests, active)
        let maxK = active.map { min(requests[$0].count, model.config.contextLength - requests[$0].context.count) }.max()!
        var feed: [Int: [Int32]] = [:]
        for i in active {
            let r = requests[i]
            feed[i] = Array(r.context[r.sequence.draftKV!.length...])
        }
        for round in 0..<maxK {
            let batch = active.filter { round < min(requests[$0].count, model.config.contextLength - requests[$0].context.count) }
            guard !batch.isEmpty else { break }
            let logits = try model.forward(batch.map { ForwardItem(tokens: feed[$0]!, sequence: requests[$0].sequence.draftKV!) })
            tokensRun += batch.reduce(0) { $0 + feed[$1]!.count }
            for (j, i) in batch.enumerated() {
                let r = requests[i]
                let row = logits.last(of: j)
                let token: Int32
                if r.params.isGreedy {
                    token = LogSoftmax.argmax(row)
                } else {
                    let q = TokenDistribution(logits: row, temperature: r.params.temperature, topK: r.params.topK, topP: r.params.topP)
                    token = q.sample(&r.sequence.rng)
                    proposals[i].distributions!.append(q)
                }
                proposals[i].tokens.append(token)
                feed[i] = [token]
            }
        }
        return proposals
    }

    /// Tokens run through the draft so far (a measure of its work).
    private(set) var tokensRun = 0

    /// Completions of one request whose draft KV is still empty get the prompt computed once, by
    /// the first of them, and share its blocks (as the target's prompt blocks are shared).
    private func sharePrompts(_ requests: [ProposalRequest], _ active: [Int]) throws {
        var leaders: [ObjectIdentifier: Int] = [:], followers: [(Int, Int)] = []
        for i in active {
            let r = requests[i]
            guard let g = r.group, r.promptLength > cache.blockSize, r.sequence.draftKV!.length == 0 else { continue }
            if let leader = leaders[g] { followers.append((i, leader)) } else { leaders[g] = i }
        }
        let shared = Set(followers.map(\.1))
        guard !shared.isEmpty else { return }
        let leadersRun = shared.sorted()
        _ = try model.forward(leadersRun.map { ForwardItem(tokens: Array(requests[$0].context.prefix(requests[$0].promptLength)),
                                                          sequence: requests[$0].sequence.draftKV!) })
        tokensRun += leadersRun.reduce(0) { $0 + requests[$1].promptLength }
        for (i, leader) in followers {
            // Blocks were counted for a private copy, so the fork (fewer blocks) always fits.
            let ok = requests[i].sequence.draftKV!.fork(from: requests[leader].sequence.draftKV!, length: requests[leader].promptLength)
            precondition(ok)
        }
    }

    /// Keeps in the draft KV only what the target accepted: `context` positions are valid.
    func rollBack(_ sequence: SequenceState, validLength: Int) {
        guard let kv = sequence.draftKV, kv.length > validLength else { return }
        kv.truncate(to: validLength)
    }

    func release(_ sequence: SequenceState) {
        sequence.draftKV?.truncate(to: 0)
        sequence.draftKV = nil
    }
}
