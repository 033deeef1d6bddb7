import Testing
@testable import Engine

struct SamplingParamsTests {
    @Test func defaultsAreValid() throws {
        try SamplingParams().validate()
        try SamplingParams.greedy(maxTokens: 1).validate()
    }

    @Test(arguments: [
        (SamplingParams(maxTokens: 0), "maxTokens"), (SamplingParams(maxTokens: -3), "maxTokens"),
        (SamplingParams(temperature: -1), "temperature"), (SamplingParams(temperature: .nan), "temperature"),
        (SamplingParams(topP: 0), "topP"), (SamplingParams(topP: 1.5), "topP"), (SamplingParams(topK: -1), "topK"),
        (SamplingParams(n: 0), "n"), (SamplingParams(stop: [""]), "stop"),
    ])
    func invalidFieldIsNamed(params: SamplingParams, field: String) {
        #expect(throws: EngineError.self) { try params.validate() }
        do { try params.validate() } catch let EngineError.invalidParameter(name, _, _) { #expect(name == field) } catch { Issue.record("\(error)") }
    }

    @Test func speculativeConfigRange() throws {
        try SpeculativeConfig.ngram(numSpeculativeTokens: 5).validate()
        #expect(throws: EngineError.self) { try SpeculativeConfig.ngram(numSpeculativeTokens: 0).validate() }
        #expect(throws: EngineError.self) { try SpeculativeConfig.draftModel(path: "x", numSpeculativeTokens: 33).validate() }
        #expect(throws: EngineError.self) { try SpeculativeConfig.ngram(minN: 3, maxN: 2, numSpeculativeTokens: 2).validate() }
    }
}
