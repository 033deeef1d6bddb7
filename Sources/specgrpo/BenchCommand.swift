import Compute
import Foundation
import Training
import Transformer

/// `specgrpo bench`: decode speed, measured like llama-bench's `-n` test (generation of N tokens
/// after a one-token prompt, greedy, no sampling cost), for one sequence or B in lockstep (as
/// llama-batched-bench's text-generation figure), and prompt processing like llama-bench's `-p`.
enum BenchCommand {
    static let help = """
    USAGE: specgrpo bench --model PATH [--tokens N] [--batch B] [--prompt P] [--threads N]
                          [--repetitions R] [--kv-cache f16|f32] [--lora-rank R]

    Decodes N tokens (default 128) after a one-token prompt, R times (default 3), and prints the
    mean and standard deviation of tokens/s, as llama-bench's tg test does. See
    scripts/bench.sh for the comparison against llama.cpp in the same run.
    --batch B decodes B sequences in lockstep, one forward pass per step, and reports their
    aggregate tokens/s (default 1).
    --prompt P instead times one forward pass over a P-token prompt (llama-bench's pp test).
    --lora-rank R decodes through the trainer's live model instead: LoRA adapters of rank R on
    all seven projections applied in the forward pass (unmerged), as during GRPO rollouts.
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "tokens", "batch", "prompt", "threads", "repetitions", "kv-cache", "lora-rank"], flags: [])
        let path = try args.required("model")
        let n = try args.int("tokens", default: 128, range: 1...100_000)
        let batch = try args.int("batch", default: 1, range: 1...512)
        let prompt = try args.int("prompt", default: 0, range: 0...100_000)
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
        model.preparePanels()
        var rates: [Double] = []
        for _ in 0..<repetitions + 1 {
            if prompt > 0 {
                let sequence = SequenceKV(cache: model.makeCache(capacityTokens: prompt, precision: precision))
                let tokens = (0..<prompt).map { Int32($0 % 1000) }
                let start = Date()
                _ = try model.forward([ForwardItem(tokens: tokens, sequence: sequence)])
                rates.append(Double(prompt) / Date().timeIntervalSince(start))
                continue
            }
            let cache = model.makeCache(capacityTokens: batch * (n + 1 + 16), precision: precision)  // a partial block each
            let sequences = (0..<batch).map { _ in SequenceKV(cache: cache) }
            var tokens = [Int32](repeating: 0, count: batch)
            func step() throws -> Logits {
                try model.forward(zip(tokens, sequences).map { ForwardItem(tokens: [$0], sequence: $1) })
            }
            var logits = try step()
            let start = Date()
            for _ in 0..<n {
                tokens = (0..<batch).map { LogSoftmax.argmax(logits.last(of: $0)) }
                logits = try step()
            }
            rates.append(Double(batch * n) / Date().timeIntervalSince(start))
        }
        rates.removeFirst() // warm-up: page faults on the mapped weights
        let mean = rates.reduce(0, +) / Double(rates.count)
        let sd = (rates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(rates.count - 1, 1))).squareRoot()
        let test = prompt > 0 ? "pp\(prompt)" : batch > 1 ? "tg\(n) x\(batch)" : "tg\(n)"
        print(String(format: "%@\t%@\tthreads %d\t%.2f ± %.2f tokens/s", (path as NSString).lastPathComponent, test, Parallel.workers, mean, sd))
    }
}
