import Foundation

let usage = """
USAGE: specgrpo <command> [options]

COMMANDS:
  generate   completions of one or many prompts: greedy or sampled, with speculative decoding
             (a draft model or n-gram lookup) and per-request telemetry
  demo       five prompts through the 1.5B target with the 0.5B draft, accept rate per request
  train      GRPO with the inference-aware reward (accept rate, latency, length, KV memory)
  train-math GRPO on GSM8K-format math: curriculum, evaluation, early stopping, best checkpoint
  eval       greedy math accuracy (95 % interval) of a model or a trained adapter
  sft        supervised fine-tuning (full or LoRA) on prompt/completion pairs
  train-bench  trainer forward + backward speed and peak memory
  bench      decode speed of this runtime (tokens/s), for docs/BENCHMARKS.md

Run 'specgrpo <command> --help' for the options of a command.
"""

let argv = Array(CommandLine.arguments.dropFirst())
do {
    switch argv.first {
    case "generate": try GenerateCommand.run(Array(argv.dropFirst()))
    case "demo": try DemoCommand.run(Array(argv.dropFirst()))
    case "bench": try BenchCommand.run(Array(argv.dropFirst()))
    case "sft": try SFTCommand.run(Array(argv.dropFirst()))
    case "train": try TrainCommand.run(Array(argv.dropFirst()))
    case "train-math": try TrainMathCommand.run(Array(argv.dropFirst()))
    case "eval": try EvalCommand.run(Array(argv.dropFirst()))
    case "train-bench": try TrainBenchCommand.run(Array(argv.dropFirst()))
    case "--help", "-h", "help", nil: print(usage)
    default:
        FileHandle.standardError.write(Data("error: unknown command '\(argv[0])'\n\n\(usage)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
