import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// The inference model handed to the engine reads the trainer's buffers: after each optimizer
/// step it computes with the new weights (log-probs equal the trainer's within 1e-4) without any
/// matrix having been copied, and its weight version moves on.
struct LiveInferenceTests {
    static let examples = [
        SFTExample(prompt: [1, 2, 3], completion: [4, 5]), SFTExample(prompt: [6, 7], completion: [8, 9, 10]),
        SFTExample(prompt: [3], completion: [2, 1]), SFTExample(prompt: [0, 10, 9, 8], completion: [7]),
    ]
    static let probe: [Int32] = [1, 2, 3, 4, 5, 9, 8]

    @Test(arguments: [TrainingMode.full, .lora(LoRAConfig(rank: 2, targets: [.q, .k, .v, .o, .gate, .up, .down]))])
    func liveModelFollowsEveryStep(_ mode: TrainingMode) throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 1)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = TrainableModel(try TransformerModel.load(path: dir), mode: mode, seed: 11)
        let trainer = SFTTrainer(model: model, optimizer: AdamW(layout: model.layout, config: AdamWConfig(learningRate: 0.05)),
                                 examples: Self.examples, batchSize: 4, microBatchSize: 4, seed: 5)
        let live = model.makeLiveInferenceModel()
        let parameters = model.parameters.pointer
        var before: [Double] = []
        for step in 1...3 {
            try trainer.step()
            model.syncInference(live)
            #expect(live.weightVersion == step + 1)

            var rng = SplitMix64(seed: 0)
            let tape = try model.forward([Self.probe], options: ForwardOptions(temperature: 1, training: false), rng: &rng)
            let cache = live.makeCache(capacityTokens: 16, precision: .f32)
            let logits = try live.forward([ForwardItem(tokens: Self.probe, sequence: SequenceKV(cache: cache), logits: .all)])
            var now: [Double] = []
            for p in 0..<Self.probe.count - 1 {
                let row = logits.row(p)
                let want = Double(row[row.startIndex + Int(Self.probe[p + 1])]) - LogSoftmax.logPartition(row)
                let got = Double(tape.logProbs[p])
                #expect(abs(got - want) <= 1e-4, "step \(step) position \(p): trainer \(got), live inference \(want)")
                now.append(want)
            }
            #expect(now != before, "the live model must change with the weights")
            before = now
        }
        // No copies: the live matrices are the parameter buffer itself.
        let layer = live.weights.layers[0]
        if case .lora = mode {
            #expect(layer.adapters.count == 7)
            for adapter in layer.adapters.values {
                #expect(adapter.a.data >= UnsafeRawPointer(parameters) && adapter.b.data >= UnsafeRawPointer(parameters))
                #expect(adapter.a.data < UnsafeRawPointer(parameters + model.parameters.count))
            }
        } else {
            #expect(layer.wq.data >= UnsafeRawPointer(parameters) && layer.wq.data < UnsafeRawPointer(parameters + model.parameters.count))
        }
    }
}
