import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// The trainer's log-probs against the inference forward's (`TransformerModel.forward` with fp32
/// activations, logits divided by the temperature, then log-softmax) for the same tokens and
/// weights: a GRPO ratio is exp(trainer − sampler), so the two must agree (tolerance 1e-4 absolute).
struct InferenceAgreementTests {
    static let sequences: [[Int32]] = [[1, 17, 99, 42, 127, 3], [5, 0, 64, 3, 88, 88, 12, 100, 7, 31, 2], [126, 9]]

    @Test(arguments: [("tiny-qwen2", Float(1)), ("tiny-qwen2-tied", Float(0.6)), ("tiny-qwen2", Float(1.3))])
    func trainerLogProbsEqualInference(_ name: String, _ temperature: Float) throws {
        let dir = RealModels.packageRoot.appendingPathComponent("Tests/TransformerTests/Fixtures/\(name)").path
        let inference = try TransformerModel.load(path: dir)
        inference.activationPrecision = .fp32
        for mode in [TrainingMode.full, .lora(LoRAConfig(rank: 4))] {
            let trainer = TrainableModel(inference, mode: mode, seed: 3)
            var rng = SplitMix64(seed: 0)
            let tape = try trainer.forward(Self.sequences, options: ForwardOptions(temperature: temperature, vocabularyChunk: 48, training: false), rng: &rng)
            var worst = 0.0
            for (s, seq) in Self.sequences.enumerated() {
                let cache = inference.makeCache(capacityTokens: 64, precision: .f32)
                let logits = try inference.forward([ForwardItem(tokens: seq, sequence: SequenceKV(cache: cache), logits: .all)])
                for p in 0..<(seq.count - 1) {
                    let row = logits.row(p).map { $0 / temperature }
                    let logZ = LogSoftmax.logPartition(row[...])
                    let want = Double(row[Int(seq[p + 1])]) - logZ
                    let got = Double(tape.logProbs[tape.ranges[s].lowerBound + p])
                    worst = max(worst, abs(got - want))
                    #expect(abs(got - want) <= 1e-4, "\(name) sequence \(s) position \(p): trainer \(got) vs inference \(want)")
                }
            }
            print("\(name) T=\(temperature) \(mode == .full ? "full" : "lora"): worst |trainer − inference| log-prob \(worst)")
        }
    }
}
