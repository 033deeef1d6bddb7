import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// Micro-batches add up to the whole batch's gradient.
struct GradientAccumulationTests {
    @Test func microBatchesSumToTheBatchGradient() throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 2)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try TransformerModel.load(path: dir)
        var gradients: [[Float]] = []
        for micro in [4, 1, 3] {
            let model = TrainableModel(base, mode: .full)
            // lr 0: only the gradients matter here.
            let t = SFTTrainer(model: model, optimizer: AdamW(layout: model.layout, config: AdamWConfig(learningRate: 0)),
                               examples: CheckpointTests.examples, batchSize: 4, microBatchSize: micro, seed: 9)
            try t.step()
            gradients.append(model.gradients.array)
        }
        let scale = gradients[0].map { abs($0) }.max()!
        for g in gradients.dropFirst() {
            let diff = zip(g, gradients[0]).map { abs($0 - $1) }.max()!
            #expect(diff <= 1e-5 * scale, "max difference \(diff) at gradient scale \(scale)")
        }
    }
}
