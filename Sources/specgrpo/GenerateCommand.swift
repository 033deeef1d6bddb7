import Compute
import Foundation
import Tokenization
import Transformer

/// `specgrpo generate`: greedy decoding of one prompt.
enum GenerateCommand {
    static let help = """
    USAGE: specgrpo generate --model PATH --prompt TEXT [options]

    Greedy decoding of one prompt. The prompt is wrapped in the model's ChatML template
    (system prompt + user turn + assistant header) unless --raw is given.

    OPTIONS:
      --model PATH         GGUF file, or a Hugging Face directory (config.json, *.safetensors,
                           tokenizer.json)
      --prompt TEXT        the user message (or the raw text with --raw)
      --system TEXT        system prompt (default: the model's own, e.g. Qwen's)
      --raw                tokenize the prompt as is, without the chat template
      --max-tokens N       tokens to generate at most (default 128)
      --threads N          worker threads (default: all cores)
      --kv-cache f16|f32   key/value cache precision (default f16, as llama.cpp)
      --activations int8|fp32
                           how activations meet quantized weights: 8-bit blocks with integer
                           dot products as llama.cpp (default), or exact fp32 (slower)
      --top-logprobs K     with --json, the K most likely tokens and log-probabilities per step
      --json               print one JSON object (prompt and completion token ids, text,
                           finish reason, timings) instead of streaming text
      --help               show this help
    """

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "prompt", "system", "max-tokens", "threads", "kv-cache", "top-logprobs", "activations"],
                                 flags: ["raw", "json"])
        let modelPath = try args.required("model"), prompt = try args.required("prompt")
        let maxTokens = try args.int("max-tokens", default: 128, range: 0...1_000_000)
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let topLogprobs = try args.int("top-logprobs", default: 0, range: 0...100)
        guard let precision = KVCache.Precision(rawValue: args.string("kv-cache") ?? "f16") else {
            throw Arguments.Failure(description: "--kv-cache must be f16 or f32")
        }
        guard let activations = Matmul.ActivationPrecision(rawValue: args.string("activations") ?? "int8") else {
            throw Arguments.Failure(description: "--activations must be int8 or fp32")
        }

        let (model, tokenizer) = try ModelFiles.load(modelPath)
        model.activationPrecision = activations
        let promptIds: [Int32]
        if args.flag("raw") {
            promptIds = tokenizer.encode(prompt)
        } else {
            guard let template = tokenizer.chatTemplate else {
                throw Arguments.Failure(description: "\(modelPath): the model has no ChatML chat template; use --raw")
            }
            promptIds = tokenizer.encode(template.render(prompt: prompt, system: args.string("system")))
        }
        guard !promptIds.isEmpty else { throw Arguments.Failure(description: "the prompt is empty") }
        let limit = model.config.contextLength
        guard promptIds.count + maxTokens <= limit else {
            throw Arguments.Failure(description: "prompt of \(promptIds.count) tokens plus --max-tokens \(maxTokens) exceeds the model's context length of \(limit) tokens")
        }

        let cache = model.makeCache(capacityTokens: promptIds.count + maxTokens, precision: precision)
        var stream = StreamingDecoder(tokenizer: tokenizer, skipSpecialTokens: true)
        let json = args.flag("json")
        let result = try model.generateGreedy(prompt: promptIds, maxTokens: maxTokens, stopTokens: ModelFiles.stopTokens(tokenizer),
                                              sequence: SequenceKV(cache: cache), topLogprobs: json ? topLogprobs : 0) { token in
            if !json {
                print(stream.append(token), terminator: "")
                fflush(stdout)
            }
        }
        if json {
            var object: [String: Any] = [
                "prompt_token_ids": promptIds.map(Int.init),
                "completion_token_ids": result.tokens.map(Int.init),
                "text": tokenizer.decode(result.tokens),
                "finish_reason": result.finishReason.rawValue,
                "prefill_seconds": result.prefillSeconds,
                "decode_seconds": result.decodeSeconds,
            ]
            if topLogprobs > 0 {
                object["top_logprobs"] = result.topLogprobs.map { step in step.map { [Int($0.token), $0.logprob] as [Any] } }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(stream.finish())
            let rate = Double(result.tokens.count) / max(result.decodeSeconds, 1e-9)
            FileHandle.standardError.write(Data(String(format: "[%d prompt tokens, %d generated, %.1f tokens/s]\n",
                                                       promptIds.count, result.tokens.count, rate).utf8))
        }
    }
}

/// Loading a model and its tokenizer from a GGUF file or a Hugging Face directory.
enum ModelFiles {
    static func load(_ path: String) throws -> (TransformerModel, Tokenizer) {
        let model = try TransformerModel.load(path: path)
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let tokenizer = isDirectory.boolValue
            ? try Tokenizer(tokenizerJSON: (path as NSString).appendingPathComponent("tokenizer.json"))
            : try Tokenizer(ggufPath: path)
        guard tokenizer.vocabularySize <= model.config.vocabularySize else {
            throw Arguments.Failure(description: "\(path): tokenizer has \(tokenizer.vocabularySize) tokens but the model only \(model.config.vocabularySize)")
        }
        return (model, tokenizer)
    }

    /// End-of-generation tokens: the tokenizer's EOS and the ChatML / end-of-text markers.
    static func stopTokens(_ tokenizer: Tokenizer) -> Set<Int32> {
        var stop = Set(["<|im_end|>", "<|endoftext|>", "<|eot_id|>"].compactMap { tokenizer.tokenId($0) })
        if let eos = tokenizer.eosTokenId { stop.insert(eos) }
        return stop
    }
}
