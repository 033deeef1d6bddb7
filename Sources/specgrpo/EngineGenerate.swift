import Compute
import Engine
import Foundation
import Tokenization
import Transformer

/// `specgrpo generate` through the engine: many prompts, sampling, speculative decoding, and a
/// report per request.
enum EngineGenerate {
    static func run(_ args: Arguments) throws {
        let modelPath = try args.required("model")
        let maxTokens = try args.int("max-tokens", default: 128, range: 1...1_000_000)
        Parallel.workers = try args.int("threads", default: Parallel.workers, range: 1...256)
        let k = try args.int("num-speculative-tokens", default: 5, range: 1...SpeculativeConfig.maxSpeculativeTokens)
        let temperature = try args.double("temperature", default: 0, range: 0...100)
        let topP = try args.double("top-p", default: 1, range: 0.000_001...1)
        let topK = try args.int("top-k", default: 0, range: 0...1_000_000)
        let seed = try args.int("seed", default: 0, range: 0...Int.max)
        let n = try args.int("n", default: 1, range: 1...1024)
        let maxNumSeqs = try args.int("max-num-seqs", default: 16, range: 1...4096)
        let topLogprobs = try args.int("top-logprobs", default: 0, range: 0...100)
        if args.string("draft") != nil && args.flag("ngram") { throw Arguments.Failure(description: "give either --draft or --ngram, not both") }

        var texts: [String] = []
        if let p = args.string("prompt") { texts.append(p) }
        if let file = args.string("prompts-file") { texts += try readPrompts(file) }
        guard !texts.isEmpty else { throw Arguments.Failure(description: "give --prompt or --prompts-file") }

        let (model, tokenizer) = try ModelFiles.load(modelPath)
        model.activationPrecision = try GenerateCommand.activationPrecision(args)
        let prompts: [[Int32]] = try texts.map { text in
            if args.flag("raw") { return tokenizer.encode(text) }
            guard let template = tokenizer.chatTemplate else {
                throw Arguments.Failure(description: "\(modelPath): the model has no ChatML chat template; use --raw")
            }
            return tokenizer.encode(template.render(prompt: text, system: args.string("system")))
        }
        let speculative: SpeculativeConfig? = args.string("draft").map { .draftModel(path: $0, numSpeculativeTokens: k) }
            ?? (args.flag("ngram") ? .ngram(numSpeculativeTokens: k) : nil)
        let longest = prompts.map(\.count).max()!
        let capacity = max(4096, min(maxNumSeqs, prompts.count * n) * (longest + maxTokens + k + 16))
        let config = EngineConfig(maxNumSeqs: maxNumSeqs, kvCapacityTokens: capacity, kvPrecision: try GenerateCommand.kvPrecision(args))
        let llm = try LLM(model: model, tokenizer: tokenizer, speculative: speculative, config: config)
        llm.engine.ignoreEOS = args.flag("ignore-eos")
        let params = prompts.indices.map { i in
            SamplingParams(temperature: temperature, topP: topP, topK: topK, maxTokens: maxTokens, seed: UInt64(seed + i), n: n, logprobs: topLogprobs)
        }
        let json = args.flag("json")
        if !json {
            let spec = switch speculative {
            case nil: "none"
            case let .draftModel(path, k): "draft \((path as NSString).lastPathComponent), k=\(k)"
            case let .ngram(minN, maxN, k): "n-gram \(minN)...\(maxN), k=\(k)"
            }
            print("model: \((modelPath as NSString).lastPathComponent)   speculative: \(spec)")
            print("\(prompts.count) prompt(s), n=\(n), temperature=\(temperature), max tokens=\(maxTokens)\n")
        }
        let start = Date()
        let outputs = try llm.generate(prompts, params, texts: texts)
        let wall = Date().timeIntervalSince(start)
        for (i, out) in outputs.enumerated() {
            if json {
                print(try jsonLine(out))
            } else {
                printReport(i, out)
            }
        }
        let generated = outputs.reduce(0) { $0 + $1.stats.generatedTokens }
        // Per stream, after its first token (prompt processing excluded), as llama.cpp reports decoding.
        var after = 0, decodeSeconds = 0.0
        for out in outputs {
            guard let first = out.metrics.firstTokenTime, let last = out.metrics.lastTokenTime else { continue }
            after += out.stats.generatedTokens - out.outputs.count
            decodeSeconds += last - first
        }
        FileHandle.standardError.write(Data(String(format: "[%d requests, %d tokens generated in %.2f s: %.1f tokens/s; per stream after its first token: %.1f tokens/s]\n",
                                                   outputs.count, generated, wall, Double(generated) / max(wall, 1e-9),
                                                   Double(after) / max(decodeSeconds, 1e-9)).utf8))
    }

    /// Prompts of a file: one per line, or JSON objects with a "prompt" field.
    static func readPrompts(_ file: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: file) else { throw Arguments.Failure(description: "\(file): cannot read the file") }
        var prompts: [String] = []
        for (number, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix("{") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let prompt = object["prompt"] as? String else {
                    throw Arguments.Failure(description: "\(file):\(number + 1): expected a JSON object with a string field \"prompt\"")
                }
                prompts.append(prompt)
            } else {
                prompts.append(line)
            }
        }
        guard !prompts.isEmpty else { throw Arguments.Failure(description: "\(file): no prompts in the file") }
        return prompts
    }

    static func rate(_ s: SpecDecodeStats) -> String {
        guard let r = s.acceptRate else { return "accept_rate=n/a (nothing drafted)" }
        return String(format: "accept_rate=%.1f%% (%d/%d draft tokens accepted)", r * 100, s.acceptedTokens, s.draftedTokens)
    }

    static func printReport(_ i: Int, _ out: RequestOutput) {
        let st = out.stats
        var line = "[\(i)] \(rate(st.specDecode))  generated=\(st.generatedTokens)"
        if let l = out.metrics.latency { line += String(format: "  latency=%.2fs", l) }
        if st.numCachedTokens > 0 { line += "  cached=\(st.numCachedTokens)" }
        if let reason = st.abortReason { line += "  ABORTED: \(reason)" }
        print(line)
        for c in out.outputs {
            if out.outputs.count > 1 { print("    (\(c.index)) \(rate(c.stats.specDecode))") }
            let flat = c.text.replacingOccurrences(of: "\n", with: " ")
            print("    " + (flat.count > 160 ? String(flat.prefix(160)) + "…" : flat))
        }
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()

    static func jsonLine(_ out: RequestOutput) throws -> String {
        var stats = try JSONSerialization.jsonObject(with: encoder.encode(out.stats)) as! [String: Any]
        stats["accept_rate"] = out.specDecode.acceptRate ?? NSNull()
        stats["mean_acceptance_length"] = out.specDecode.meanAcceptanceLength ?? NSNull()
        stats["latency"] = out.metrics.latency ?? NSNull()
        let object: [String: Any] = [
            "request_id": out.requestId,
            "prompt": out.prompt ?? NSNull(),
            "prompt_token_ids": out.promptTokenIds.map(Int.init),
            "outputs": out.outputs.map { c -> [String: Any] in
                [
                    "index": c.index, "text": c.text, "token_ids": c.tokenIds.map(Int.init), "logprobs": c.logprobs,
                    "finish_reason": c.finishReason.rawValue, "stop_reason": c.stopReason ?? NSNull(),
                    "accept_rate": c.stats.specDecode.acceptRate ?? NSNull(),
                    "mean_acceptance_length": c.stats.specDecode.meanAcceptanceLength ?? NSNull(),
                    "stats": (try? JSONSerialization.jsonObject(with: encoder.encode(c.stats))) ?? NSNull(),
                    "top_logprobs": c.topLogprobs.map { $0.map { [Int($0.token), $0.logprob] as [Any] } },
                ]
            },
            "stats": stats,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
