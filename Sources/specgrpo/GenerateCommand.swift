import Compute
import Foundation
import Tokenization
import Transformer

/// `specgrpo generate`: greedy decoding of one prompt.
enum GenerateCommand {
    static let help = """
    USAGE: specgrpo generate --model PATH (--prompt TEXT | --prompts-file FILE) [options]

    Generates completions. The prompt is wrapped in the model's ChatML template (system prompt +
    user turn + assistant header) unless --raw is given. One greedy --prompt without the engine
    options below streams its text as it is decoded; otherwise the prompts run together through
    the engine (continuous batching, prefix caching, optional speculative decoding) and each
    request is reported with its telemetry.

    OPTIONS:
      --model PATH         GGUF file, or a Hugging Face directory (config.json, *.safetensors,
                           tokenizer.json): the target model
      --prompt TEXT        the user message (or the raw text with --raw)
      --prompts-file FILE  one prompt per line; a line that is a JSON object uses its "prompt"
                           field; empty lines are skipped
      --system TEXT        system prompt (default: the model's own, e.g. Qwen's)
      --raw                tokenize the prompt as is, without the chat template
      --max-tokens N       tokens to generate at most per completion (default 128)
      --draft PATH         speculative decoding with this draft model (same vocabulary)
      --ngram              speculative decoding with prompt lookup (n-grams of 1 to 4 tokens)
      --num-speculative-tokens K
                           tokens drafted per step with --draft or --ngram (1...32, default 5)
      --temperature T      0 is greedy (default 0)
      --top-p P            nucleus sampling mass in (0, 1] (default 1)
      --top-k K            keep the K most likely tokens; 0 keeps all (default 0)
      --seed N             seed of the sampler (default 0; request i uses seed N + i)
      --n N                completions per prompt, sharing the prompt's KV blocks (default 1)
      --max-num-seqs N     sequences decoded together at most (default 16)
      --ignore-eos         keep generating after end-of-sequence tokens (fixed-length benchmarks)
      --threads N          worker threads (default: all cores)
      --kv-cache f16|f32   key/value cache precision (default f16, as llama.cpp)
      --activations int8|fp32
                           how activations meet quantized weights: 8-bit blocks with integer
                           dot products as llama.cpp (default), or exact fp32 (slower)
      --top-logprobs K     with --json, the K most likely tokens and log-probabilities per step
      --json               print JSON instead of text: for the streaming path one object with
                           token ids, text, finish reason and timings; for the engine path one
                           object per request per line with every telemetry field
      --help               show this help
    """

    static func kvPrecision(_ args: Arguments) throws -> KVCache.Precision {
        guard let precision = KVCache.Precision(rawValue: args.string("kv-cache") ?? "f16") else {
            throw Arguments.Failure(description: "--kv-cache must be f16 or f32")
        }
        return precision
    }

    static func activationPrecision(_ args: Arguments) throws -> Matmul.ActivationPrecision {
        guard let activations = Matmul.ActivationPrecision(rawValue: args.string("activations") ?? "int8") else {
            throw Arguments.Failure(description: "--activations must be int8 or fp32")
        }
        return activations
    }

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "prompt", "system", "max-tokens", "threads", "kv-cache", "top-logprobs", "activations",
                                                 "prompts-file", "draft", "num-speculative-tokens", "temperature", "top-p", "top-k", "seed", "n",
                                                 "max-num-seqs"],
                                 flags: ["raw", "json", "ngram", "ignore-eos"])
        let engineOptions = ["prompts-file", "draft", "num-speculative-tokens", "temperature", "top-p", "top-k", "seed", "n", "max-num-seqs"]
        if engineOptions.contains(where: { args.string($0) != nil }) || args.flag("ngram") || args.flag("ignore-eos") {
            return try EngineGenerate.run(args)
        }
        let modelPath = try args.required("model"), prompt = try args.required("prompt")
        let maxTokens = try args.int("max-tokens", default: 128, range: 0...1_000_000)
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let topLogprobs = try args.int("top-logprobs", default: 0, range: 0...100)
        let precision = try kvPrecision(args)
        let activations = try activationPrecision(args)

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
        let result = try model.generateGreedy(prompt: promptIds, maxTokens: maxTokens, stopTokens: tokenizer.endOfGenerationTokenIds,
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
        let tokenizer = try Tokenizer(modelPath: path)
        guard tokenizer.vocabularySize <= model.config.vocabularySize else {
            throw Arguments.Failure(description: "\(path): tokenizer has \(tokenizer.vocabularySize) tokens but the model only \(model.config.vocabularySize)")
        }
        return (model, tokenizer)
    }
}
