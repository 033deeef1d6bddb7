import Compute
import Engine
import Foundation
import Tokenization
import Training
import Transformer

/// `specgrpo train`: GRPO with the inference-aware reward on a file of prompts.
enum TrainCommand {
    static let help = """
    USAGE: specgrpo train --model PATH (--draft PATH | --ngram) --prompts FILE [options]

    GRPO (group-relative policy optimisation) with the inference-aware reward
        reward = task − α·latency_ms − β·tokens − γ·kv_MiB + δ·accept_rate + ε·cache_reuse
    Each step samples G completions of B prompts in one engine call (speculative decoding on, the
    policy as target), scores and measures each, and takes one AdamW step on the clipped surrogate
    of the generated token ids. The engine generates with the new weights at once.
    FILE: one JSON object per line, {"prompt": TEXT} (wrapped in the chat template unless --raw)
    or {"prompt_ids": [..]}. With --out DIR: DIR/config.json, DIR/metrics.jsonl (one line per
    step), DIR/checkpoints/ (a rerun resumes from the latest).

    MODEL AND ROLLOUTS
      --model PATH               policy: GGUF file or Hugging Face directory
      --draft PATH               draft model for speculative decoding (same vocabulary)
      --ngram                    n-gram prompt lookup instead of a draft model
      --num-speculative-tokens K drafted tokens per step (default 5)
      --prompts FILE             training prompts (JSONL)
      --raw                      encode text prompts as they are (no chat template)
      --system TEXT              system prompt of the chat template
      --prompts-per-step B       prompts per optimizer step (default 4)
      --group-size G             completions per prompt (default 4)
      --temperature T            sampling temperature (default 0.8)
      --max-new-tokens N         tokens per completion at most (default 128)
      --stop-token-ids A,B       tokens that also end a completion (besides the tokenizer's EOS)
      --scorer NAME              task score in [0, 1]: constant (1.0, default), constant:V,
                                 char-fraction:C (share of the character C in the text),
                                 token-fraction:ID
    REWARD
      --alpha X                  α per ms of latency (default 0.001)
      --beta X                   β per generated token (default 0.001)
      --gamma X                  γ per MiB of KV cache (default 0.01)
      --delta X                  δ on the accept rate (default 1.0)
      --epsilon X                ε on the prefix-cache reuse ratio (default 0.5)
      --latency MODE             passes (default: target passes × --ms-per-pass, deterministic)
                                 or wall-clock (queued → last token)
      --ms-per-pass X            cost of one target pass for --latency passes (default 25)
      --kv-memory MODE           estimate (the original's formula, default) or held-blocks
      --missing-accept-zero      count the accept rate of a completion with no drafts as 0
                                 (default: the term is left out)
      --aggregation MODE         sum-then-normalize (default) or normalize-then-sum
      --gate-on-success          apply the inference terms only to completions with task = 1
      --advantage MODE           group (default), none (Dr. GRPO) or batch (the original)
      --advantage-epsilon X      ε of (r − mean) / (std + ε) (default 1e-4)
    LOSS AND OPTIMISER
      --loss MODE                dapo (default), grpo, bnpo or dr_grpo
      --clip-low X, --clip-high X  clip range of the ratio (default 0.2 and 0.2)
      --kl-beta X                KL to the reference (the base without adapters; default 0)
      --iterations N             optimizer steps per batch of rollouts, μ (default 1)
      --micro-batch N            completions per forward/backward (default 4)
      --recompute                recompute block activations in backward (less memory)
      --lora-rank R              LoRA rank (default 16; learning rate default 1e-5)
      --lora-alpha A             LoRA alpha (default 2·R)
      --full                     train every weight (fp32 master weights; learning rate default 1e-6)
      --lr X                     learning rate
      --max-grad-norm X          global gradient-norm clip (default 1; 0 disables)
      --weight-decay X           decoupled AdamW weight decay (default 0)
    RUN
      --steps N                  optimizer steps (default 50)
      --seed S                   seeds LoRA init, prompt order, sampling and dropout (default 0)
      --out DIR                  run directory
      --save-every N             checkpoint every N steps too (default: only at the end)
      --threads N                worker threads (default: all cores)
      --help                     show this help
    """

    /// Options shared by `train` and `train-math`: the model, speculation and every GRPO knob.
    static let sharedOptions: Set<String> = [
        "model", "draft", "num-speculative-tokens", "system", "group-size", "temperature", "max-new-tokens", "alpha", "beta",
        "gamma", "delta", "epsilon", "latency", "ms-per-pass", "kv-memory", "aggregation", "advantage", "loss", "clip-low",
        "clip-high", "kl-beta", "iterations", "micro-batch", "lora-rank", "lora-alpha", "lr", "max-grad-norm", "seed", "out", "threads",
        "stop-token-ids", "advantage-epsilon", "weight-decay",
    ]
    static let sharedFlags: Set<String> = ["ngram", "missing-accept-zero", "gate-on-success", "recompute", "full"]

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: sharedOptions.union(["prompts", "prompts-per-step", "scorer", "steps", "save-every"]),
                                 flags: sharedFlags.union(["raw"]))
        let modelPath = try args.required("model"), promptsPath = try args.required("prompts")
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let speculative = try speculativeConfig(args)
        let scorerName = args.string("scorer") ?? "constant"
        guard let scorer = TaskScorer.named(scorerName) else { throw Arguments.Failure(description: "unknown --scorer '\(scorerName)'; see --help") }
        var config = try grpoConfig(args, defaults: GRPOConfig(mode: try mode(args)))
        config.promptsPerStep = try args.int("prompts-per-step", default: config.promptsPerStep, range: 1...4096)
        config.steps = try args.int("steps", default: config.steps, range: 0...100_000_000)
        let saveEvery = args.string("save-every") == nil ? nil : try args.int("save-every", default: 1, range: 1...100_000_000)

        let model = try TransformerModel.load(path: modelPath)
        // Tiny test models ship without a tokenizer; their prompts come as token ids.
        let tokenizer = try? Tokenizer(modelPath: modelPath)
        let prompts = try PromptFile.load(path: promptsPath, encode: tokenizer.map { t in
            { text in
                if args.flag("raw") { return t.encode(text) }
                guard let template = t.chatTemplate else {
                    throw Arguments.Failure(description: "\(modelPath): the model has no ChatML chat template; use --raw")
                }
                return t.encode(template.render(prompt: text, system: args.string("system")))
            }
        })
        let trainer = try GRPOTrainer(base: model, prompts: prompts, config: config, scorer: scorer, tokenizer: tokenizer,
                                      speculative: speculative,
                                      engineConfig: engineConfig(config, longestPrompt: prompts.map(\.count).max()!, speculative: speculative))
        print("GRPO: \(trainer.model.layout.count) trainable parameters, \(prompts.count) prompts, B=\(config.promptsPerStep) G=\(config.groupSize), \(config.steps) steps, seed \(config.seed)")
        let directory = try args.string("out").map {
            try RunDirectory(path: $0, config: RunRecord(grpo: config, model: modelPath, speculative: "\(speculative)", prompts: promptsPath,
                                                          scorer: scorer.name, chatTemplate: !args.flag("raw"), system: args.string("system")))
        }
        try GRPORun.run(trainer, directory: directory, saveEvery: saveEvery)
    }

    static func speculativeConfig(_ args: Arguments) throws -> SpeculativeConfig {
        let k = try args.int("num-speculative-tokens", default: 5, range: 1...SpeculativeConfig.maxSpeculativeTokens)
        switch (args.string("draft"), args.flag("ngram")) {
        case let (path?, false): return .draftModel(path: path, numSpeculativeTokens: k)
        case (nil, true): return .ngram(numSpeculativeTokens: k)
        default: throw Arguments.Failure(description: "give exactly one of --draft PATH and --ngram")
        }
    }

    /// Engine limits that fit every rollout of a step at once.
    static func engineConfig(_ config: GRPOConfig, longestPrompt: Int, speculative: SpeculativeConfig, maxGroup: Int? = nil) -> EngineConfig {
        let sequences = config.promptsPerStep * (maxGroup ?? config.groupSize)
        let perSequence = longestPrompt + config.maxNewTokens + speculative.numSpeculativeTokens + 16
        return EngineConfig(maxNumSeqs: sequences, kvCapacityTokens: max(4096, sequences * perSequence))
    }

    /// `defaults` with every GRPO flag given in `args` applied.
    static func grpoConfig(_ args: Arguments, defaults: GRPOConfig) throws -> GRPOConfig {
        var config = defaults
        if args.string("lr") != nil { config.optimizer.learningRate = try args.double("lr", default: 0, range: 1e-12...10) }
        let clip = try args.double("max-grad-norm", default: 1, range: 0...1e9)
        config.optimizer.maxGradientNorm = clip > 0 ? clip : nil
        config.groupSize = try args.int("group-size", default: config.groupSize, range: 2...1024)
        config.temperature = try args.double("temperature", default: config.temperature, range: 0.01...100)
        config.maxNewTokens = try args.int("max-new-tokens", default: config.maxNewTokens, range: 1...1_000_000)
        if let ids = args.string("stop-token-ids") {
            config.stopTokenIds = try ids.split(separator: ",").map { text in
                guard let id = Int32(text.trimmingCharacters(in: .whitespaces)), id >= 0 else {
                    throw Arguments.Failure(description: "--stop-token-ids must be comma-separated token ids, got '\(ids)'")
                }
                return id
            }
        }
        config.optimizer.weightDecay = try args.double("weight-decay", default: config.optimizer.weightDecay, range: 0...10)
        config.advantageEpsilon = try args.double("advantage-epsilon", default: config.advantageEpsilon, range: 0...1e6)
        var w = config.reward.weights
        w.latency = try args.double("alpha", default: w.latency, range: -1e9...1e9)
        w.length = try args.double("beta", default: w.length, range: -1e9...1e9)
        w.kvMemory = try args.double("gamma", default: w.kvMemory, range: -1e9...1e9)
        w.acceptRate = try args.double("delta", default: w.acceptRate, range: -1e9...1e9)
        w.cacheReuse = try args.double("epsilon", default: w.cacheReuse, range: -1e9...1e9)
        config.reward.weights = w
        switch args.string("latency") ?? "passes" {
        case "passes": config.reward.latency = .targetPasses(millisecondsPerPass: try args.double("ms-per-pass", default: 25, range: 1e-9...1e9))
        case "wall-clock": config.reward.latency = .wallClock
        case let other: throw Arguments.Failure(description: "--latency must be passes or wall-clock, got '\(other)'")
        }
        config.reward.kvMemory = try choice(args, "kv-memory", default: .estimate)
        config.reward.aggregation = try choice(args, "aggregation", default: .sumThenNormalize)
        config.reward.missingAcceptRateIsZero = args.flag("missing-accept-zero")
        config.reward.gateOnTaskSuccess = args.flag("gate-on-success")
        config.advantageScaling = try choice(args, "advantage", default: .group)
        config.loss.aggregation = try choice(args, "loss", default: .dapo)
        config.loss.clipLow = try args.double("clip-low", default: 0.2, range: 0...0.999)
        config.loss.clipHigh = try args.double("clip-high", default: 0.2, range: 0...100)
        config.loss.klBeta = try args.double("kl-beta", default: 0, range: 0...1e6)
        config.policyIterations = try args.int("iterations", default: 1, range: 1...100)
        config.microBatchSize = try args.int("micro-batch", default: config.microBatchSize, range: 1...4096)
        config.recompute = args.flag("recompute")
        config.seed = UInt64(try args.int("seed", default: 0, range: 0...Int.max))
        return config
    }

    /// What `config.json` records besides the trainer's settings.
    struct RunRecord: Encodable {
        var grpo: GRPOConfig
        var model: String
        var speculative: String
        var prompts: String
        var scorer: String
        var chatTemplate: Bool
        var system: String?
    }

    static func mode(_ args: Arguments) throws -> TrainingMode {
        if args.flag("full") {
            guard args.string("lora-rank") == nil else { throw Arguments.Failure(description: "give --lora-rank or --full, not both") }
            return .full
        }
        let rank = try args.int("lora-rank", default: 16, range: 1...4096)
        return .lora(LoRAConfig(rank: rank, alpha: Float(try args.double("lora-alpha", default: Double(2 * rank), range: 1e-6...1e6))))
    }

    /// A string option parsed into one of an enum's raw values.
    static func choice<T: RawRepresentable & CaseIterable>(_ args: Arguments, _ name: String, default value: T) throws -> T where T.RawValue == String {
        guard let text = args.string(name) else { return value }
        guard let v = T(rawValue: text) else {
            throw Arguments.Failure(description: "--\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return v
    }
}
