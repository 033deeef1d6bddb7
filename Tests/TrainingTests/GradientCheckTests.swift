import Compute
import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// Every gradient of the trainer against central finite differences of an independent
/// Double-precision forward (`ReferenceModel`): step h = 1e-5, so truncation (~h²) and rounding
/// (~1e-16 / h) errors are both below 1e-9, and the check measures the Float backward alone.
/// Tolerance: |analytic − fd| ≤ 1e-3 · max(|fd|, 1e-3 · largest |fd| of the model) — relative 1e-3,
/// with a floor so that elements whose gradient is ~0 are compared against the model's scale
/// rather than against their own rounding noise.
struct GradientCheckTests {
    static let step = 1e-5
    static let tolerance = 1e-3
    static let sequences: [[Int32]] = [[1, 5, 3, 9, 2, 10], [7, 0, 4], [6]]
    static let temperature: Float = 0.7

    struct Setup {
        var shape = TinyModels.Shape()
        var mode: TrainingMode = .full
        var pairing: ModelConfig.RopePairing = .neox
        var matrixType: TensorType = .f32
        var recompute = false
    }

    func load(_ s: Setup) throws -> (TrainableModel, ReferenceModel) {
        let (dir, tensors) = try TinyModels.write(s.shape, seed: 42, matrixType: s.matrixType)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loaded = try TransformerModel.load(path: dir)
        var config = loaded.config
        config.ropePairing = s.pairing
        let model = TransformerModel(config: config, weights: loaded.weights)
        let trainable = TrainableModel(model, mode: s.mode, seed: 7)
        // B starts at zero, which would make every A gradient zero: give it values.
        var rng = SplitMix64(seed: 99)
        for e in trainable.layout.entries where e.name.hasSuffix("lora_B.weight") {
            for i in 0..<e.count { trainable.parameters[e.offset + i] = 0.3 * (2 * rng.nextUnit() - 1) }
        }
        var reference = ReferenceModel(config: config, tensors: tensors.mapValues { $0.values.map(Double.init) })
        if case .lora(let l) = s.mode { reference.lora = l }
        for e in trainable.layout.entries {
            reference.tensors[e.name] = (0..<e.count).map { Double(trainable.parameters[e.offset + $0]) }
        }
        return (trainable, reference)
    }

    func check(_ s: Setup) throws {
        let (model, reference) = try load(s)
        var rng = SplitMix64(seed: 1)
        let options = ForwardOptions(temperature: Self.temperature, recompute: s.recompute, vocabularyChunk: 4)
        let tape = try model.forward(Self.sequences, options: options, rng: &rng)
        let refLogProbs = reference.logProbs(Self.sequences, temperature: Double(Self.temperature))
        #expect(tape.logProbs.count == refLogProbs.count)
        for (a, b) in zip(tape.logProbs, refLogProbs) { #expect(abs(Double(a) - b) < 1e-5, "log-prob \(a) vs reference \(b)") }

        var wrng = SplitMix64(seed: 5)
        let weights = tape.logProbs.map { _ in Double(2 * wrng.nextUnit() - 1) }
        model.zeroGradients()
        model.backward(tape, logProbGradients: weights.map(Float.init))

        var samples: [(name: String, index: Int, analytic: Double, fd: Double)] = []
        var pick = SplitMix64(seed: 3)
        for e in model.layout.entries {
            let indices = e.count <= 16 ? Array(0..<e.count) : (0..<16).map { _ in Int(pick.next() % UInt64(e.count)) }
            for i in indices {
                var plus = reference, minus = reference
                plus.tensors[e.name]![i] += Self.step
                minus.tensors[e.name]![i] -= Self.step
                let T = Double(Self.temperature)
                let fd = (plus.weightedLogProb(Self.sequences, weights: weights, temperature: T)
                          - minus.weightedLogProb(Self.sequences, weights: weights, temperature: T)) / (2 * Self.step)
                samples.append((e.name, i, Double(model.gradients[e.offset + i]), fd))
            }
        }
        let scale = samples.map { abs($0.fd) }.max() ?? 0
        #expect(scale > 1e-3, "gradients should not vanish")
        var worst = 0.0
        for s in samples {
            let denom = max(abs(s.fd), 1e-3 * scale)
            let err = abs(s.analytic - s.fd) / denom
            worst = max(worst, err)
            #expect(err <= Self.tolerance, "\(s.name)[\(s.index)]: analytic \(s.analytic) vs finite difference \(s.fd)")
        }
        print("gradient check \(s.mode == .full ? "full" : "lora") \(s.pairing) \(s.matrixType): \(samples.count) elements of \(model.layout.entries.count) tensors, worst relative error \(worst)")
    }

    @Test func fullFineTuningUntiedNeox() throws {
        try check(Setup())
    }

    @Test func fullFineTuningTiedInterleavedRecomputed() throws {
        var s = Setup()
        s.shape.tied = true
        s.pairing = .interleaved
        s.recompute = true
        try check(s)
    }

    @Test func loraAllProjectionsOverF16Base() throws {
        var s = Setup()
        s.mode = .lora(LoRAConfig(rank: 3, alpha: 5))
        s.matrixType = .f16
        try check(s)
    }

    @Test func loraSubsetTiedBF16BaseRecomputed() throws {
        var s = Setup()
        s.shape.tied = true
        s.mode = .lora(LoRAConfig(rank: 2, alpha: 4, targets: [.q, .v, .down]))
        s.matrixType = .bf16
        s.recompute = true
        s.pairing = .interleaved
        try check(s)
    }
}
