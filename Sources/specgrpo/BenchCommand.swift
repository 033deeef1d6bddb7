import Compute
import Foundation
import Training
import Transformer

/// `specgrpo bench`: single-stream decode speed, measured like llama-bench's `-n` test
/// (generation of N tokens after a one-token prompt, greedy, no sampling cost).
enum BenchCommand {
    static let help = """
    USAGE: specgrpo bench --model PATH [--tokens N] [--threads N] [--repetitions R] [--kv-cache f16|f32]
                          [--lora-rank R]

    Decodes N tokens (default 128) after a one-token prompt, R times (default 3), and prints the
    mean and standard deviation of tokens/s, as llama-bench's tg test does. See
    scripts/bench.sh for the comparison against llama.cpp in the same run.
    --lora-rank R decodes through the trainer's live model instead: LoRA adapters of rank R on
    all seven projections applied in the forward pass (unmerged), as during GRPO rollouts.
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "tokens", "threads", "repetitions", "kv-cache", "lora-rank"], flags: [])
        let path = try args.required("model")
        let n = try args.int("tokens", default: 128, range: 1...100_000)
        let repetitions = try args.int("repetitions", default: 3, range: 1...100)
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        guard let precision = KVCache.Precision(rawValue: args.string("kv-cache") ?? "f16") else {
            throw Arguments.Failure(description: "--kv-cache must be f16 or f32")
        }
        let loraRank = try args.int("lora-rank", default: 0, range: 0...1024)
        var model = try TransformerModel.load(path: path)
        if loraRank > 0 {
            let trainer = TrainableModel(model, mode: .lora(LoRAConfig(rank: loraRank)), seed: 0)
            model = trainer.makeLiveInferenceModel()
            model.activationPrecision = .int8
        }
        var rates: [Double] = []
        for _ in 0..<repetitions + 1 {
            let cache = model.makeCache(capacityTokens: n + 1, precision: precision)
            let sequence = SequenceKV(cache: cache)
            var token: Int32 = 0
            var logits = try model.forward([ForwardItem(tokens: [token], sequence: sequence)])
            let start = Date()
            for _ in 0..<n {
                token = LogSoftmax.argmax(logits.last(of: 0))
                logits = try model.forward([ForwardItem(tokens: [token], sequence: sequence)])
            }
            rates.append(Double(n) / Date().timeIntervalSince(start))
        }
        rates.removeFirst() // warm-up: page faults on the mapped weights
        let mean = rates.reduce(0, +) / Double(rates.count)
        let sd = (rates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(rates.count - 1, 1))).squareRoot()
        print(String(format: "%@\ttg%d\tthreads %d\t%.2f ± %.2f tokens/s", (path as NSString).lastPathComponent, n, Parallel.workers, mean, sd))
    }
}
