import Testing
@testable import Engine

/// Acceptance 3b: end to end on the tiny model, the first three sampled tokens have the same
/// distribution with and without speculation (two-sample chi-square at significance 0.001).
struct SpeculativeSamplingTests {
    @Test(arguments: [SpeculativeConfig.draftModel(path: "tied", numSpeculativeTokens: 2), .ngram(minN: 1, maxN: 2, numSpeculativeTokens: 2)])
    func firstThreeTokensKeepTheTargetDistribution(spec: SpeculativeConfig) throws {
        let model = LLMEngineTests.model
        // Every token id occurs in the prompt, so prompt lookup always finds a 1-gram to continue.
        let prompt: [Int32] = (0..<128).map(Int32.init) + [3, 7, 3]
        let runs = 3000
        // top-k 3 keeps the outcome space at 27 triples, so every cell is well populated.
        let params = (0..<runs).map { SamplingParams(temperature: 1, topK: 3, maxTokens: 3, seed: UInt64($0)) }
        func histogram(_ llm: LLM) throws -> [[Int32]: Int] {
            var h: [[Int32]: Int] = [:]
            for chunk in stride(from: 0, to: runs, by: 500) {
                let outs = try llm.generate(Array(repeating: prompt, count: 500), Array(params[chunk..<chunk + 500]))
                for o in outs { h[o.outputs[0].tokenIds, default: 0] += 1 }
            }
            return h
        }
        let config = EngineConfig(maxNumSeqs: 64, seed: 1)
        let plain = try histogram(LLM(model: model, config: config))
        let draft = LLMEngineTests.draft
        let specLLM = try LLM(model: model, speculative: spec, draftModel: draft, config: config)
        let speculative = try histogram(specLLM)
        // Pearson's two-sample statistic over the union of outcomes (equal sample sizes).
        var stat = 0.0
        let keys = Set(plain.keys).union(speculative.keys)
        for k in keys {
            let a = Double(plain[k] ?? 0), b = Double(speculative[k] ?? 0)
            stat += (a - b) * (a - b) / (a + b)
        }
        let df = keys.count - 1
        #expect(stat < TinyModels.chiSquareCritical(df: df), "chi-square \(stat), \(df) df")
        let drafted = specLLM.specDecodeStats().values.reduce(0) { $0 + $1.specDecode.draftedTokens }
        #expect(drafted > runs / 2, "speculation was exercised")
    }
}
