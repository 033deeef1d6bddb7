import Compute
import Foundation
import Training
import Transformer

/// `specgrpo train-bench`: forward + backward speed and peak memory of the trainer, for
/// docs/BENCHMARKS.md (issue 3, acceptance points 5 and 7). Never an assertion in tests.
enum TrainBenchCommand {
    static let help = """
    USAGE: specgrpo train-bench --model PATH [options]

    Times teacher-forced forward + backward (+ an AdamW step) over random token sequences and
    reports tokens/s and the process's peak resident memory.

    OPTIONS:
      --model PATH         GGUF file or Hugging Face directory
      --lora-rank R        LoRA on all projections (default 16); --full trains every weight
      --full
      --sequences N        sequences per step (default 4)
      --length N           tokens per sequence (default 256)
      --steps N            timed steps after one warm-up step (default 2)
      --recompute          recompute block activations in backward
      --threads N          worker threads (default: all cores)
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "lora-rank", "sequences", "length", "steps", "threads"], flags: ["full", "recompute"])
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let base = try TransformerModel.load(path: try args.required("model"))
        let mode: TrainingMode = args.flag("full") ? .full : .lora(LoRAConfig(rank: try args.int("lora-rank", default: 16, range: 1...4096)))
        let n = try args.int("sequences", default: 4, range: 1...4096), length = try args.int("length", default: 256, range: 2...1_000_000)
        let steps = try args.int("steps", default: 2, range: 1...1000)
        try TrainableModel.checkSupported(base, mode: mode)
        let model = TrainableModel(base, mode: mode)
        let optimizer = AdamW(layout: model.layout, config: AdamWConfig(learningRate: 1e-5))
        var rng = SplitMix64(seed: 1)
        let batch = (0..<n).map { _ in (0..<length).map { _ in Int32(rng.next() % UInt64(base.config.vocabularySize)) } }
        let options = ForwardOptions(recompute: args.flag("recompute"))
        var forwardSeconds = 0.0, backwardSeconds = 0.0
        for step in 0...steps {
            let t0 = Date()
            model.zeroGradients()
            let tape = try model.forward(batch, options: options, rng: &rng)
            let t1 = Date()
            model.backward(tape, logProbGradients: [Float](repeating: -1 / Float(tape.logProbs.count), count: tape.logProbs.count))
            optimizer.update(model.parameters, gradients: model.gradients)
            let t2 = Date()
            if step > 0 {
                forwardSeconds += t1.timeIntervalSince(t0)
                backwardSeconds += t2.timeIntervalSince(t1)
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let tokens = Double(n * length * steps)
        print(String(format: "%@ %@: %d × %d tokens, %d threads: forward %.3f s, backward+step %.3f s per step, %.1f tokens/s, peak RSS %.2f GB",
                     mode == .full ? "full" : "LoRA", (try args.required("model") as NSString).lastPathComponent, n, length, Parallel.workers,
                     forwardSeconds / Double(steps), backwardSeconds / Double(steps), tokens / (forwardSeconds + backwardSeconds),
                     Double(usage.ru_maxrss) / 1_048_576))
    }
}
