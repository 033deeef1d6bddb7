import Compute
import Engine
import Foundation
import Tasks
import Tokenization
import Training
import Transformer

/// `specgrpo eval`: greedy accuracy on a fixed seeded subset of a GSM8K-format file.
enum EvalCommand {
    static let help = """
    USAGE: specgrpo eval --model PATH [--adapter DIR] [--data FILE] [--samples N|all] [--seed S] [options]

    Answers a fixed seeded subset of the problems greedily, with speculative decoding on when a
    draft or --ngram is given, and reports the accuracy with its 95 % Wilson interval, the mean
    completion length and the accept rate. The same seed and file give the same problems as the
    evaluation of 'specgrpo train-math --seed S'. Runs with fp32 activations and an fp32 KV cache,
    as the trainer's engine does, so the numbers compare with train-math's.

    OPTIONS:
      --model PATH               GGUF file or Hugging Face directory
      --adapter DIR              trained weights: a checkpoint folder or root (e.g. RUN/best)
      --data FILE                GSM8K JSONL (default data/gsm-symbolic/test.jsonl)
      --samples N|all            problems (default 100)
      --seed S                   subset seed (default 0)
      --draft PATH | --ngram     speculative decoding (default: none)
      --num-speculative-tokens K drafted tokens per step (default 5)
      --max-new-tokens N         tokens per answer (default 512)
      --system TEXT              system prompt (default: train-math's)
      --concurrency N            problems decoded together (default 64)
      --json                     print the evaluation as JSON
      --threads N                worker threads (default: all cores)
      --help                     show this help
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "adapter", "data", "samples", "seed", "draft", "num-speculative-tokens",
                                                 "max-new-tokens", "system", "threads", "concurrency"], flags: ["ngram", "json"])
        let modelPath = try args.required("model")
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let speculative: SpeculativeConfig? = args.string("draft") == nil && !args.flag("ngram") ? nil : try TrainCommand.speculativeConfig(args)
        let seed = UInt64(try args.int("seed", default: 0, range: 0...Int.max))
        let data = try MathDataset(contentsOf: args.string("data") ?? "data/gsm-symbolic/test.jsonl")
        let (base, tokenizer) = try ModelFiles.load(modelPath)
        var model = base
        if let adapter = args.string("adapter") {
            model = try Checkpoint.loadModel(from: adapter, base: base).makeLiveInferenceModel()
        }
        model.activationPrecision = .fp32
        let samples = try TrainMathCommand.count(args, "samples", default: 100)
        let problems = data.subset(count: samples, seed: seed ^ MathTrainingRun.evaluationSubsetSalt)
        let prompt = MathPrompt(systemPrompt: args.string("system") ?? MathPrompt.defaultSystemPrompt,
                                template: tokenizer.chatTemplate ?? ChatTemplate(defaultSystemPrompt: nil))
        let maxNew = try args.int("max-new-tokens", default: 512, range: 1...1_000_000)
        let concurrency = try args.int("concurrency", default: 64, range: 1...4096)
        let llm = try LLM(model: model, tokenizer: tokenizer, speculative: speculative,
                          config: EngineConfig(maxNumSeqs: concurrency, kvCapacityTokens: concurrency * (512 + maxNew + 32), kvPrecision: .f32))
        let e = try MathEvaluation.run(llm, prompts: problems.map { tokenizer.encode(prompt.render($0)) }, problems: problems,
                                       maxNewTokens: maxNew, chunk: concurrency) { done, total in
            if !args.flag("json") { FileHandle.standardError.write(Data("\r\(done)/\(total) problems".utf8)) }
        }
        if args.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(e), as: UTF8.self))
        } else {
            FileHandle.standardError.write(Data("\n".utf8))
            print("\(data.source): \(problems.count) problems, seed \(seed)\(args.string("adapter").map { ", adapter \($0)" } ?? "")")
            print(e.summary)
        }
    }
}
