import Foundation
import TestSupport
import Testing
import Training
import Transformer

/// `specgrpo sft`'s training loop teaches a tiny random model 2-digit addition.
/// Tokens: digits 0–9, 10 '+', 11 '=', 12 end. Prompt "a₁a₀+b₁b₀=" with a, b in 0..<50; the
/// completion is the 2-digit sum least-significant digit first (the order in which carries are
/// computed, which a 2-layer model learns far faster), then end. 100 pairs are held out.
struct SFTRunTests {
    static let plus: Int32 = 10, equals: Int32 = 11, end: Int32 = 12

    static func example(_ a: Int, _ b: Int) -> SFTExample {
        let s = a + b
        return SFTExample(prompt: [Int32(a / 10), Int32(a % 10), plus, Int32(b / 10), Int32(b % 10), equals],
                          completion: [Int32(s % 10), Int32(s / 10), end])
    }

    @Test func learnsTwoDigitAddition() throws {
        var shape = TinyModels.Shape()
        shape.vocab = 13; shape.hidden = 64; shape.intermediate = 128; shape.layers = 2
        shape.heads = 4; shape.kvHeads = 2; shape.headDim = 16; shape.matrixScale = 0.25
        let (dir, _) = try TinyModels.write(shape, seed: 2024)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sft-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }

        var pairs = (0..<50).flatMap { a in (0..<50).map { b in (a, b) } }
        var g = SplitMix64(seed: 77)
        pairs.shuffle(using: &g)
        let heldOut = pairs.prefix(100), train = pairs.dropFirst(100)
        let steps = Int(ProcessInfo.processInfo.environment["SFT_TEST_STEPS"] ?? "") ?? 400
        let options = SFTRunOptions(mode: .full,
                                    optimizer: AdamWConfig(learningRate: 3e-3, weightDecay: 0.01,
                                                           schedule: .warmupCosine(warmupSteps: 20, totalSteps: steps, minRatio: 0.1)),
                                    steps: steps, batchSize: 32, outputDirectory: out, seed: 1, logEvery: 50)
        let start = Date()
        let trainer = try SFTRun.run(model: try TransformerModel.load(path: dir), examples: train.map { Self.example($0.0, $0.1) }, options: options)
        let seconds = Date().timeIntervalSince(start)

        let engine = trainer.model.makeInferenceModel()
        var correct = 0
        for (a, b) in heldOut {
            let ex = Self.example(a, b)
            let cache = engine.makeCache(capacityTokens: 16, precision: .f32)
            let gen = try engine.generateGreedy(prompt: ex.prompt, maxTokens: 3, stopTokens: [Self.end], sequence: SequenceKV(cache: cache))
            if gen.tokens == ex.completion { correct += 1 }
        }
        let accuracy = Double(correct) / Double(heldOut.count)
        print("SFT 2-digit addition: \(steps) steps of 32 in \(String(format: "%.1f", seconds)) s, held-out exact-match accuracy \(accuracy)")
        #expect(accuracy >= 0.9)
        #expect(FileManager.default.fileExists(atPath: out + "/latest"))
    }
}

/// Full fine-tuning of a quantized base is refused with a clear error, not a crash.
struct TrainingSetupTests {
    @Test func fullFineTuningOfAQuantizedBaseIsRefused() throws {
        guard let path = RealModels.path(RealModels.smolLMFile) else { return }
        let model = try TransformerModel.load(path: path)
        #expect(throws: TrainingSetupError.self) { try TrainableModel.checkSupported(model, mode: .full) }
        try TrainableModel.checkSupported(model, mode: .lora(LoRAConfig(rank: 2)))
        do {
            _ = try SFTRun.run(model: model, examples: [SFTExample(prompt: [1], completion: [2])],
                               options: SFTRunOptions(mode: .full, optimizer: AdamWConfig(learningRate: 1e-3), steps: 1, batchSize: 1),
                               log: { _ in })
            Issue.record("full fine-tuning of a quantized model was accepted")
        } catch let error as TrainingSetupError {
            #expect(error.description.contains("Q8_0") && error.description.contains("LoRA"))  // SmolLM2 stores its embedding as Q8_0
        }
    }
}
