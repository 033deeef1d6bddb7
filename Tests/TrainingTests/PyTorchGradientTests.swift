import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// Loss and gradients of full fine-tuning on the tiny Qwen2 fixtures against PyTorch autograd
/// (fixture from scripts/fixtures/make_tiny_qwen2_grads.py; versions inside the JSON).
/// Tolerance 1e-4 relative: the loss and each gradient norm against their own magnitude, each
/// listed entry against max(|entry|, RMS of its tensor's gradient) so that entries near zero are
/// judged on the tensor's scale. Measured worst errors are printed.
struct PyTorchGradientTests {
    struct Fixture: Decodable {
        struct Grad: Decodable { let norm: Double; let first: [Double]; let last: [Double] }
        struct Model: Decodable { let loss: Double; let grads: [String: Grad] }
        let sequences: [[Int32]]
        let temperature: Float
        let models: [String: Model]
    }

    static let tolerance = 1e-4

    @Test(arguments: ["tiny-qwen2", "tiny-qwen2-tied"])
    func matchesAutograd(_ name: String) throws {
        let fx = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: RealModels.fixture("tiny-qwen2-grads.json")))
        let expected = fx.models[name]!
        let dir = RealModels.packageRoot.appendingPathComponent("Tests/TransformerTests/Fixtures/\(name)").path
        let model = TrainableModel(try TransformerModel.load(path: dir), mode: .full)
        var rng = SplitMix64(seed: 0)
        let tape = try model.forward(fx.sequences, options: ForwardOptions(temperature: fx.temperature, vocabularyChunk: 50), rng: &rng)
        let n = tape.logProbs.count
        let loss = -tape.totalLogProb / Double(n)
        model.zeroGradients()
        model.backward(tape, logProbGradients: Array(repeating: -1 / Float(n), count: n))

        var worstNorm = 0.0, worstEntry = 0.0
        let lossError = abs(loss - expected.loss) / abs(expected.loss)
        #expect(lossError <= Self.tolerance, "loss \(loss) vs \(expected.loss)")
        #expect(Set(model.layout.entries.map(\.name)) == Set(expected.grads.keys))
        for e in model.layout.entries {
            guard let ref = expected.grads[e.name] else { continue }
            let grad = (0..<e.count).map { Double(model.gradients[e.offset + $0]) }
            let norm = grad.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let normError = abs(norm - ref.norm) / ref.norm
            worstNorm = max(worstNorm, normError)
            #expect(normError <= Self.tolerance, "\(e.name): gradient norm \(norm) vs \(ref.norm)")
            let rms = ref.norm / Double(e.count).squareRoot()
            for (i, want) in zip(Array(0..<8) + Array((e.count - 8)..<e.count), ref.first + ref.last) {
                let err = abs(grad[i] - want) / max(abs(want), rms)
                worstEntry = max(worstEntry, err)
                #expect(err <= Self.tolerance, "\(e.name)[\(i)]: \(grad[i]) vs \(want)")
            }
        }
        print("\(name) vs PyTorch: loss \(loss) (relative error \(lossError)), worst gradient-norm error \(worstNorm), worst entry error \(worstEntry)")
    }
}
