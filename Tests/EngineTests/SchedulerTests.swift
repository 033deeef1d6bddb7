import Testing
@testable import Engine
import Transformer

/// Continuous batching and the accounting of proposals.
struct SchedulerTests {
    /// Counts what the wrapped proposer hands out, per completion.
    final class CountingProposer: Proposer {
        let inner: Proposer
        var proposed: [ObjectIdentifier: Int] = [:]
        init(_ inner: Proposer) { self.inner = inner }
        func propose(_ requests: [ProposalRequest]) throws -> [Proposal] {
            let out = try inner.propose(requests)
            for (r, p) in zip(requests, out) { proposed[ObjectIdentifier(r.sequence), default: 0] += p.tokens.count }
            return out
        }
        func release(_ sequence: SequenceState) { inner.release(sequence) }
    }

    @Test func draftedEqualsTheSumOfProposals() throws {
        let engine = try LLMEngine(model: LLMEngineTests.model, config: EngineConfig(maxNumSeqs: 5), speculative: .ngram(numSpeculativeTokens: 4))
        let spy = CountingProposer(engine.proposer!)
        engine.proposer = spy
        for (i, p) in LLMEngineTests.prompts(8, seed: 21).enumerated() {
            try engine.addRequest(p, SamplingParams(temperature: i % 2 == 0 ? 0 : 1, maxTokens: 10 + 3 * i, seed: UInt64(i), n: 1 + i % 2))
        }
        var outs: [RequestOutput] = []
        while engine.hasUnfinishedRequests { outs += try engine.step() }
        let total = outs.reduce(0) { $0 + $1.specDecode.draftedTokens }
        #expect(total == spy.proposed.values.reduce(0, +) && total > 0)
    }

    /// New requests join as others finish; the queue is served in order.
    @Test func waitingRequestsJoinAsOthersFinish() throws {
        let engine = try LLMEngine(model: LLMEngineTests.model, config: EngineConfig(maxNumSeqs: 2))
        let lengths = [3, 12, 4, 5, 2]
        for (i, p) in LLMEngineTests.prompts(5, seed: 22).enumerated() { try engine.addRequest(p, .greedy(maxTokens: lengths[i])) }
        var admittedAt: [String: Int] = [:], finishedAt: [String: Int] = [:]
        var step = 0
        while engine.hasUnfinishedRequests {
            let out = try engine.step()
            for r in engine.running where admittedAt[r.id] == nil { admittedAt[r.id] = step }
            for o in out {
                finishedAt[o.requestId] = step
                if admittedAt[o.requestId] == nil { admittedAt[o.requestId] = step }
            }
            #expect(engine.running.reduce(0) { $0 + $1.unfinished.count } <= 2)
            step += 1
        }
        // "0" (3 tokens) finishes at step 2 and "2" is admitted in the next step while "1" runs on.
        #expect(admittedAt["0"] == 0 && admittedAt["1"] == 0)
        #expect(admittedAt["2"] == finishedAt["0"]! + 1)
        #expect(finishedAt["1"]! > admittedAt["2"]!)
        #expect(admittedAt["2"]! <= admittedAt["3"]! && admittedAt["3"]! <= admittedAt["4"]!)
    }
}

extension SchedulerTests {
    /// A step stays within the token budget unless a single prompt needs more on its own.
    @Test func tokenBudgetPerStep() throws {
        let engine = try LLMEngine(model: LLMEngineTests.model, config: EngineConfig(maxNumSeqs: 8, maxNumBatchedTokens: 48),
                                   speculative: .ngram(numSpeculativeTokens: 2))
        var prompts = LLMEngineTests.prompts(6, seed: 23, lengths: 20...30)
        prompts.append(LLMEngineTests.prompts(1, seed: 24, lengths: 70...70)[0])
        for p in prompts { try engine.addRequest(p, .greedy(maxTokens: 12)) }
        var outs = 0, steps = 0
        while engine.hasUnfinishedRequests {
            outs += try engine.step().count
            #expect(engine.lastStep.tokens <= 48 || engine.lastStep.items == 1)
            steps += 1
        }
        #expect(outs == 7 && steps < 200)
    }
}
