import Compute
import Foundation
import Tokenization
import Training
import Transformer

/// `specgrpo sft`: supervised fine-tuning on prompt/completion pairs.
enum SFTCommand {
    static let help = """
    USAGE: specgrpo sft --model PATH --data PAIRS.jsonl [--lora-rank R | --full] [options]

    Supervised fine-tuning: mean negative log-likelihood of the completion tokens, AdamW with
    fp32 moments. Each JSONL line is {"prompt": TEXT, "completion": TEXT} (encoded with the
    model's tokenizer, as is: no chat template) or {"prompt_ids": [..], "completion_ids": [..]}.
    With --out, checkpoints go to DIR/step-NNNNNN and a rerun resumes from DIR/latest.

    OPTIONS:
      --model PATH         GGUF file or Hugging Face directory
      --data PATH          prompt/completion pairs, one JSON object per line
      --lora-rank R        train LoRA adapters of rank R on all projections (base stays as stored)
      --lora-alpha A       LoRA alpha (default 2·R)
      --lora-dropout P     LoRA dropout (default 0)
      --full               train every weight (fp32 master weights; F32/F16/BF16 bases)
      --lr X               peak learning rate (default 1e-4)
      --warmup N           linear warm-up steps, then cosine decay to 10 % (default 0: constant)
      --weight-decay X     decoupled weight decay on matrices (default 0)
      --max-grad-norm X    global gradient-norm clip (default 1; 0 disables)
      --steps N            optimizer steps (default 100)
      --batch-size N       examples per step (default 8)
      --micro-batch N      examples per forward/backward (gradient accumulation; default: the batch)
      --recompute          recompute block activations in backward (less memory)
      --out DIR            checkpoint folder
      --save-every N       also checkpoint every N steps
      --seed N             data order and LoRA initialisation (default 0)
      --threads N          worker threads (default: all cores)
      --help               show this help
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "data", "lora-rank", "lora-alpha", "lora-dropout", "lr", "warmup", "weight-decay",
                                                 "max-grad-norm", "steps", "batch-size", "micro-batch", "out", "save-every", "seed", "threads"],
                                 flags: ["full", "recompute"])
        func double(_ name: String, default value: Double, range: ClosedRange<Double>) throws -> Double {
            guard let text = args.string(name) else { return value }
            guard let x = Double(text), range.contains(x) else {
                throw Arguments.Failure(description: "--\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return x
        }
        let modelPath = try args.required("model"), dataPath = try args.required("data")
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let mode: TrainingMode
        switch (args.string("lora-rank"), args.flag("full")) {
        case (nil, true): mode = .full
        case (.some, false):
            let rank = try args.int("lora-rank", default: 8, range: 1...4096)
            let alpha = try double("lora-alpha", default: Double(2 * rank), range: 0...1e6)
            mode = .lora(LoRAConfig(rank: rank, alpha: Float(alpha), dropout: Float(try double("lora-dropout", default: 0, range: 0...0.99))))
        default: throw Arguments.Failure(description: "give exactly one of --lora-rank R and --full")
        }
        let steps = try args.int("steps", default: 100, range: 1...100_000_000)
        let warmup = try args.int("warmup", default: 0, range: 0...100_000_000)
        let clip = try double("max-grad-norm", default: 1, range: 0...1e9)
        let optimizer = AdamWConfig(learningRate: try double("lr", default: 1e-4, range: 0...10),
                                    weightDecay: try double("weight-decay", default: 0, range: 0...10),
                                    maxGradientNorm: clip > 0 ? clip : nil,
                                    schedule: warmup > 0 ? .warmupCosine(warmupSteps: warmup, totalSteps: steps, minRatio: 0.1) : .constant)
        let options = SFTRunOptions(mode: mode, optimizer: optimizer, steps: steps,
                                    batchSize: try args.int("batch-size", default: 8, range: 1...1_000_000),
                                    microBatchSize: args.string("micro-batch") == nil ? nil : try args.int("micro-batch", default: 1, range: 1...1_000_000),
                                    outputDirectory: args.string("out"),
                                    saveEvery: args.string("save-every") == nil ? nil : try args.int("save-every", default: 1, range: 1...100_000_000),
                                    seed: UInt64(try args.int("seed", default: 0, range: 0...Int.max)), recompute: args.flag("recompute"))

        let model = try TransformerModel.load(path: modelPath)
        // A tokenizer only when the data holds text: tiny test models ship none.
        var tokenizer: Tokenizer?
        let examples = try SFTData.load(path: dataPath) { text in
            if tokenizer == nil { tokenizer = try Tokenizer(modelPath: modelPath) }
            return tokenizer!.encode(text, parseSpecialTokens: true)
        }
        for (i, e) in examples.enumerated() {
            for t in e.prompt + e.completion where t < 0 || Int(t) >= model.config.vocabularySize {
                throw Arguments.Failure(description: "\(dataPath): example \(i + 1) has token id \(t), outside the model's vocabulary of \(model.config.vocabularySize)")
            }
        }
        _ = try SFTRun.run(model: model, examples: examples, options: options)
    }
}
