import Compute
import Curriculum
import Engine
import Foundation
import Tasks
import Tokenization
import Training
import Transformer

/// `specgrpo train-math`: GRPO on GSM8K-format math with the curriculum, evaluation, early
/// stopping and the best checkpoint.
enum TrainMathCommand {
    static let help = """
    USAGE: specgrpo train-math --model PATH (--draft PATH | --ngram) [options]

    GRPO on grade-school math. Evaluates the model greedily (speculative decoding on) on a fixed
    seeded subset of the test file, then trains for epochs whose batches and rollouts per problem
    come from the adaptive curriculum, prints a cluster report after each epoch, evaluates, keeps
    the best weights in DIR/best, and stops early when the accuracy stops improving. Accuracies
    carry a 95 % Wilson interval. A rerun with the same --out resumes after the last whole epoch.
    Data: GSM8K JSONL ({"question": .., "answer": "... #### N"}); by default the GSM-Symbolic files
    that scripts/fetch-data.sh exports into data/gsm-symbolic.

    DATA AND EVALUATION
      --train FILE                training problems (default data/gsm-symbolic/train.jsonl)
      --test FILE                 evaluation problems (default data/gsm-symbolic/test.jsonl)
      --max-train-samples N|all   seeded subset of the training file (default 500)
      --eval-samples N|all        fixed seeded subset of the test file (default 100)
      --eval-every N              evaluate every N epochs (default 1; the last epoch always)
      --eval-max-new-tokens N     tokens per evaluation answer (default 512)
      --eval-concurrency N        evaluation problems decoded together (default 64)
      --system TEXT               system prompt (default: step by step, then "The answer is N.")
    EPOCHS AND CURRICULUM
      --num-epochs N              epochs at most (default 20)
      --early-stop-patience N     evaluations without a new best before stopping (default 3)
      --batch-size N              problems per optimizer step (default 4)
      --curriculum on|off         rollouts per problem from the curriculum (default on) or
                                  --group-size for every problem
      --base-rollout-steps N      rollouts of the easiest bucket (default 4)
      --rollout-alpha X           the hardest bucket gets N·(1 + X) (default 1.5)
      --uniform-rollouts N        rollouts per problem in the warm-up epoch (default: the midpoint)
      --n-buckets N               buckets at most (default 3)
      --ema-decay X               reward average decay (default 0.7)
      --difficulty task|composite curriculum signal: correctness (default) or the whole reward
      --reward inference|correctness  the inference-aware reward (default) or correctness only
    Every option of 'specgrpo train' for the model, speculation, reward, loss and optimiser
    applies too (--group-size, --temperature, --max-new-tokens (default 512), --lr, --lora-rank,
    --alpha ... --epsilon, --loss, --kl-beta, --seed, --out, --threads, ...).
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: TrainCommand.sharedOptions.union([
            "train", "test", "max-train-samples", "eval-samples", "eval-every", "eval-max-new-tokens", "num-epochs",
            "early-stop-patience", "batch-size", "curriculum", "base-rollout-steps", "rollout-alpha", "uniform-rollouts",
            "n-buckets", "ema-decay", "difficulty", "reward", "eval-concurrency",
        ]), flags: TrainCommand.sharedFlags)
        let modelPath = try args.required("model")
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let speculative = try TrainCommand.speculativeConfig(args)
        let config = try mathConfig(args)
        let train = try MathDataset(contentsOf: args.string("train") ?? "data/gsm-symbolic/train.jsonl")
        let test = try MathDataset(contentsOf: args.string("test") ?? "data/gsm-symbolic/test.jsonl")
        let (model, tokenizer) = try ModelFiles.load(modelPath)
        let g = config.resolvedGRPO
        let maxGroup = config.curriculum ? config.scheduler.rollouts.maximumRollouts : g.groupSize
        var engine = TrainCommand.engineConfig(g, longestPrompt: 512, speculative: speculative, maxGroup: maxGroup)
        // Room for the evaluation's batch as well.
        engine.maxNumSeqs = max(engine.maxNumSeqs, config.evalConcurrency)
        engine.kvCapacityTokens = max(engine.kvCapacityTokens, config.evalConcurrency * (512 + config.evalMaxNewTokens + 32))
        let directory = try args.string("out").map {
            try RunDirectory(path: $0, config: Record(math: config, model: modelPath, speculative: "\(speculative)",
                                                       train: train.source, test: test.source))
        }
        let run = try MathTrainingRun(model: model, tokenizer: tokenizer, train: train, test: test, config: config,
                                      speculative: speculative, engineConfig: engine, directory: directory) { line in
            print(line)
            fflush(stdout)
        }
        print("model \((modelPath as NSString).lastPathComponent) | \(run.trainer.model.layout.count) trainable parameters | seed \(config.seed)")
        try run.run()
    }

    struct Record: Encodable {
        var math: MathTrainingConfig
        var model: String
        var speculative: String
        var train: String
        var test: String
    }

    static func count(_ args: Arguments, _ name: String, default value: Int?) throws -> Int? {
        if args.string(name) == "all" { return nil }
        return args.string(name) == nil ? value : try args.int(name, default: 1, range: 1...100_000_000)
    }

    static func mathConfig(_ args: Arguments) throws -> MathTrainingConfig {
        var c = MathTrainingConfig(mode: try TrainCommand.mode(args))
        c.grpo = try TrainCommand.grpoConfig(args, defaults: c.grpo)
        c.seed = c.grpo.seed
        c.maxTrainSamples = try count(args, "max-train-samples", default: c.maxTrainSamples)
        c.evalSamples = try count(args, "eval-samples", default: c.evalSamples)
        c.evalEvery = try args.int("eval-every", default: c.evalEvery, range: 1...100_000)
        c.evalMaxNewTokens = try args.int("eval-max-new-tokens", default: c.evalMaxNewTokens, range: 1...1_000_000)
        c.evalConcurrency = try args.int("eval-concurrency", default: c.evalConcurrency, range: 1...4096)
        c.numEpochs = try args.int("num-epochs", default: c.numEpochs, range: 1...100_000)
        c.earlyStopPatience = try args.int("early-stop-patience", default: c.earlyStopPatience, range: 1...100_000)
        if let s = args.string("system") { c.systemPrompt = s }
        switch args.string("curriculum") ?? "on" {
        case "on": c.curriculum = true
        case "off": c.curriculum = false
        case let other: throw Arguments.Failure(description: "--curriculum must be on or off, got '\(other)'")
        }
        switch args.string("reward") ?? "inference" {
        case "inference": c.correctnessOnly = false
        case "correctness": c.correctnessOnly = true
        case let other: throw Arguments.Failure(description: "--reward must be inference or correctness, got '\(other)'")
        }
        let signal: DifficultySignal
        switch args.string("difficulty") ?? "task" {
        case "task": signal = .taskScore
        case "composite": signal = .compositeReward
        case let other: throw Arguments.Failure(description: "--difficulty must be task or composite, got '\(other)'")
        }
        var bucketizer = c.scheduler.bucketizer
        bucketizer.maxBuckets = try args.int("n-buckets", default: bucketizer.maxBuckets, range: 1...100)
        let rollouts = try RolloutPolicy(base: try args.int("base-rollout-steps", default: c.scheduler.rollouts.base, range: 2...1024),
                                         alpha: try args.double("rollout-alpha", default: c.scheduler.rollouts.alpha, range: 0...100))
        c.scheduler = try SchedulerConfig(emaDecay: try args.double("ema-decay", default: c.scheduler.emaDecay, range: 0.000_001...0.999_999),
                                          difficultySignal: signal, bucketizer: bucketizer, rollouts: rollouts,
                                          batchSize: try args.int("batch-size", default: c.scheduler.batchSize, range: 1...4096),
                                          warmUpEpochs: c.scheduler.warmUpEpochs,
                                          uniformRollouts: args.string("uniform-rollouts") == nil ? nil : try args.int("uniform-rollouts", default: 4, range: 1...1024))
        return c
    }
}
