import Testing
@testable import Training

/// Each reward term and both aggregations against values worked out by hand (the arithmetic is in
/// the comments).
struct InferenceRewardTests {
    /// task 1, 500 ms, 100 tokens, 2 MiB, accept 0.6, half the prompt cached.
    static let good = CompletionMeasurement(taskScore: 1, latencyMs: 500, generatedTokens: 100, kvMiB: 2, acceptRate: 0.6, cacheReuse: 0.5)
    /// task 0, 1000 ms, 50 tokens, 1 MiB, nothing drafted, half the prompt cached.
    static let bad = CompletionMeasurement(taskScore: 0, latencyMs: 1000, generatedTokens: 50, kvMiB: 1, acceptRate: nil, cacheReuse: 0.5)

    @Test func eachTermWithTheOriginalWeights() throws {
        let r = try InferenceReward.compute([Self.good, Self.bad], groupSize: 2, config: RewardConfig())
        // good: 1 − 0.001·500 − 0.001·100 − 0.01·2 + 1.0·0.6 + 0.5·0.5 = 1 − 0.5 − 0.1 − 0.02 + 0.6 + 0.25 = 1.23
        // bad:  0 − 1.0 − 0.05 − 0.01 + (accept left out) + 0.25 = −0.81
        #expect(abs(r.rewards[0] - 1.23) < 1e-12)
        #expect(abs(r.rewards[1] - -0.81) < 1e-12)
        let expected: [RewardTerm: [Double]] = [.task: [1, 0], .latency: [-0.5, -1], .length: [-0.1, -0.05], .kvMemory: [-0.02, -0.01],
                                                .acceptRate: [0.6, 0], .cacheReuse: [0.25, 0.25]]
        for (term, values) in expected {
            for (got, want) in zip(r.contributions[term]!, values) { #expect(abs(got - want) < 1e-12, "\(term)") }
        }
    }

    @Test func customWeightsScaleTheirTermOnly() throws {
        var config = RewardConfig()
        config.weights = RewardWeights(latency: 0, length: 0.01, kvMemory: 0, acceptRate: 2, cacheReuse: 0)
        let r = try InferenceReward.compute([Self.good, Self.bad], groupSize: 2, config: config)
        #expect(abs(r.rewards[0] - (1 - 1 + 1.2)) < 1e-12)   // 1 − 0.01·100 + 2·0.6
        #expect(abs(r.rewards[1] - (0 - 0.5)) < 1e-12)       // 0 − 0.01·50
    }

    @Test func missingAcceptRateCanCountAsZero() throws {
        var config = RewardConfig()
        config.weights = RewardWeights(latency: 0, length: 0, kvMemory: 0, acceptRate: 1, cacheReuse: 0)
        config.missingAcceptRateIsZero = true
        config.aggregation = .normalizeThenSum
        // The accept term now has values 0.6 and 0 in the group instead of 0.6 alone, so it is
        // standardised against 0: ±0.3 / (0.6/√2 + 1e-4) = ±0.70699 on top of the task's ±0.70701.
        let r = try InferenceReward.compute([Self.good, Self.bad], groupSize: 2, config: config)
        #expect(abs(r.rewards[0] - (0.3 / (0.6 / 2.0.squareRoot() + 1e-4) + 0.5 / (1 / 2.0.squareRoot() + 1e-4))) < 1e-12)
        config.missingAcceptRateIsZero = false
        let omitted = try InferenceReward.compute([Self.good, Self.bad], groupSize: 2, config: config)
        // One present value: its std is 0, so it adds (0.6 − 0.6)/(0 + ε) = 0.
        #expect(abs(omitted.rewards[0] - 0.5 / (1 / 2.0.squareRoot() + 1e-4)) < 1e-12)
    }

    @Test func gatingDropsTheCostTermsOfWrongAnswers() throws {
        var config = RewardConfig()
        config.gateOnTaskSuccess = true
        let r = try InferenceReward.compute([Self.good, Self.bad], groupSize: 2, config: config)
        #expect(abs(r.rewards[0] - 1.23) < 1e-12)
        #expect(r.rewards[1] == 0)   // only its task term, 0
        #expect(r.contributions[.latency]![1] == 0)
    }

    @Test func normalizeThenSumStandardisesEachTermWithinTheGroup() throws {
        var config = RewardConfig()
        config.aggregation = .normalizeThenSum
        let r = try InferenceReward.compute([Self.good, Self.bad], groupSize: 2, config: config)
        // Two values a, b: mean (a+b)/2, sample std |a−b|/√2, so z = ±(|a−b|/2) / (|a−b|/√2 + 1e-4).
        //   task 1 vs 0:        z = 0.5/(0.70710678 + 1e-4)   = +0.70700680, weight 1
        //   latency 500 vs 1000: z = −250/(353.553391 + 1e-4) = −0.70710658, weight −0.001 → +0.00070711
        //   length 100 vs 50:   z = +25/(35.3553391 + 1e-4)   = +0.70710479, weight −0.001 → −0.00070710
        //   kv 2 vs 1:          z = +0.70700680,                weight −0.01  → −0.00707007
        //   accept: one value (std 0) → 0; cache reuse equal → 0.
        // Sum: 0.70700680 + 0.00070711 − 0.00070710 − 0.00707007 = 0.69993673
        #expect(abs(r.rewards[0] - 0.69993673) < 1e-7)
        #expect(abs(r.rewards[1] - -0.69993673) < 1e-7)
    }

    static let nonFinite: [(String, Double)] = [("latency", .nan), ("kv_memory", .infinity), ("task", .nan)]

    @Test(arguments: nonFinite)
    func nonFiniteTermsAreRefused(_ term: String, _ value: Double) {
        var m = Self.good
        switch term {
        case "latency": m.latencyMs = value
        case "kv_memory": m.kvMiB = value
        default: m.taskScore = value
        }
        do {
            _ = try InferenceReward.compute([Self.good, m], groupSize: 2, config: RewardConfig())
            Issue.record("a non-finite \(term) must throw")
        } catch let GRPOError.nonFiniteReward(completion, badTerm, _) {
            #expect(completion == 1 && badTerm == term)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
