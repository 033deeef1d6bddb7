import Engine
import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// Acceptance 3 of issue T1 end to end: the log-probabilities the engine reports for the tokens it
/// sampled (with the trainer's live weights, after an optimizer step) equal the trainer's
/// teacher-forced log-probabilities of the same tokens at the same temperature, within 1e-4. A
/// GRPO ratio is exp(trainer − sampler), so any gap here biases every update.
struct EngineLogProbAgreementTests {
    static let examples = [SFTExample(prompt: [1, 2, 3], completion: [4, 5]), SFTExample(prompt: [6, 7], completion: [8, 9, 10])]

    @Test(arguments: [TrainingMode.full, .lora(LoRAConfig(rank: 4))], [0.8, 1.3])
    func sampledLogProbsEqualTrainerLogProbs(_ mode: TrainingMode, _ temperature: Double) throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 2)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = TrainableModel(try TransformerModel.load(path: dir), mode: mode, seed: 4)
        let trainer = SFTTrainer(model: model, optimizer: AdamW(layout: model.layout, config: AdamWConfig(learningRate: 0.05)),
                                 examples: Self.examples, batchSize: 2, microBatchSize: 2, seed: 1)
        try trainer.step()
        let live = model.makeLiveInferenceModel()
        let llm = try LLM(model: live, config: EngineConfig(kvPrecision: .f32))
        let prompts: [[Int32]] = [[1, 2, 3, 4], [9, 8, 7]]
        let outputs = try llm.generate(prompts, SamplingParams(temperature: temperature, maxTokens: 12, seed: 7, n: 2))
        var worst = 0.0, compared = 0
        for (prompt, request) in zip(prompts, outputs) {
            for completion in request.outputs {
                var rng = SplitMix64(seed: 0)
                let sequence = prompt + completion.tokenIds
                let tape = try model.forward([sequence], options: ForwardOptions(temperature: Float(temperature), training: false), rng: &rng)
                for (i, sampled) in completion.logprobs.enumerated() {
                    // logProbs[p] scores token p + 1; the i-th generated token sits at prompt.count + i.
                    let trainerLogProb = Double(tape.logProbs[prompt.count - 1 + i])
                    worst = max(worst, abs(trainerLogProb - sampled))
                    compared += 1
                    #expect(abs(trainerLogProb - sampled) <= 1e-4, "token \(i): trainer \(trainerLogProb), engine \(sampled)")
                }
            }
        }
        #expect(compared >= 20)
        print("T=\(temperature) \(mode == .full ? "full" : "lora"): \(compared) sampled tokens, worst |trainer − engine| \(worst)")
    }
}
