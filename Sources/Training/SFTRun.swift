import Foundation
import Transformer

/// Settings of a supervised fine-tuning run (what `specgrpo sft` parses).
public struct SFTRunOptions: Sendable {
    public var mode: TrainingMode
    public var optimizer: AdamWConfig
    public var steps: Int
    public var batchSize: Int
    public var microBatchSize: Int?
    /// Checkpoint root; the run resumes from its latest checkpoint when there is one.
    public var outputDirectory: String?
    /// Save every this many steps (and always at the end) when `outputDirectory` is set.
    public var saveEvery: Int?
    public var seed: UInt64 = 0
    public var recompute = false
    /// Print a progress line every this many steps.
    public var logEvery = 10

    public init(mode: TrainingMode, optimizer: AdamWConfig, steps: Int, batchSize: Int, microBatchSize: Int? = nil,
                outputDirectory: String? = nil, saveEvery: Int? = nil, seed: UInt64 = 0, recompute: Bool = false, logEvery: Int = 10) {
        self.mode = mode; self.optimizer = optimizer; self.steps = steps; self.batchSize = batchSize
        self.microBatchSize = microBatchSize; self.outputDirectory = outputDirectory; self.saveEvery = saveEvery
        self.seed = seed; self.recompute = recompute; self.logEvery = logEvery
    }
}

public enum SFTRun {
    /// Trains `model` on `examples` and returns the trainer (its model holds the trained weights).
    public static func run(model base: TransformerModel, examples: [SFTExample], options o: SFTRunOptions,
                           log: (String) -> Void = { print($0) }) throws -> SFTTrainer {
        try TrainableModel.checkSupported(base, mode: o.mode)
        let model = TrainableModel(base, mode: o.mode, seed: o.seed)
        let optimizer = AdamW(layout: model.layout, config: o.optimizer)
        let trainer = SFTTrainer(model: model, optimizer: optimizer, examples: examples, batchSize: o.batchSize,
                                 microBatchSize: o.microBatchSize, seed: o.seed,
                                 options: ForwardOptions(recompute: o.recompute))
        if let out = o.outputDirectory, FileManager.default.fileExists(atPath: out + "/latest") {
            let state = try Checkpoint.load(from: out, into: model, optimizer: optimizer)
            trainer.resume(state)
            log("resumed from \(out) at step \(state.step)")
        }
        log("training \(model.layout.count) parameters (\(o.mode == .full ? "full" : "LoRA")) on \(examples.count) examples")
        let start = Date()
        var tokens = 0
        while optimizer.step < o.steps {
            let r = try trainer.step()
            tokens += r.tokens
            let s = optimizer.step
            if s % max(1, o.logEvery) == 0 || s == o.steps {
                log(String(format: "step %d  loss %.4f  grad-norm %.3f  lr %.2e  %.0f completion tokens/s", s, r.loss, r.gradientNorm,
                           r.learningRate, Double(tokens) / Date().timeIntervalSince(start)))
            }
            if let out = o.outputDirectory, let every = o.saveEvery, s % every == 0, s < o.steps {
                try trainer.saveCheckpoint(to: out)
            }
        }
        if let out = o.outputDirectory {
            let path = try trainer.saveCheckpoint(to: out)
            log("saved \(path)")
        }
        return trainer
    }
}
