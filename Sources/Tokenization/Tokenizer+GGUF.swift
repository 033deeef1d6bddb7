import Foundation
import ModelFormats

extension Tokenizer {
    /// Pre-tokenizers by GGUF's `tokenizer.ggml.pre` name (llama.cpp's names), with whether the
    /// model skips merges for words that are whole tokens.
    static let ggufPreTokenizers: [String: (PreTokenizer, ignoreMerges: Bool)] = [
        "qwen2": (.qwen2, false),
        "llama-bpe": (.llama3, true),
    ]

    /// The tokenizer stored in a GGUF file's metadata: `tokenizer.ggml.model` must be `gpt2`
    /// (byte-level BPE); tokens, token types and merges come from `tokenizer.ggml.tokens`,
    /// `.token_type` and `.merges`; the split from `tokenizer.ggml.pre`; BOS/EOS ids and
    /// `add_bos_token` (default false, as for every gpt2-type vocabulary) from their keys; the
    /// chat format from `tokenizer.chat_template`.
    ///
    /// - Throws: `ModelFileError` naming the file when a key is missing or has the wrong type,
    ///   the tokenizer type or pre-tokenizer is not supported, or tokens and merges disagree.
    public init(gguf: GGUFFile) throws {
        let path = gguf.path
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw ModelFileError(.unsupportedTokenizer, path: path,
                                 "tokenizer.ggml.model is '\(model)'; only byte-level BPE ('gpt2') is supported")
        }
        let preName = gguf.metadata["tokenizer.ggml.pre"] == nil ? "default" : try gguf.string("tokenizer.ggml.pre")
        guard let (pre, ignoreMerges) = Self.ggufPreTokenizers[preName] else {
            throw ModelFileError(.unsupportedTokenizer, path: path,
                                 "tokenizer.ggml.pre is '\(preName)'; supported: \(Self.ggufPreTokenizers.keys.sorted().joined(separator: ", "))")
        }

        let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
        var kinds = [TokenKind](repeating: .normal, count: tokens.count)
        if gguf.metadata["tokenizer.ggml.token_type"] != nil {
            let types = try gguf.intArray("tokenizer.ggml.token_type")
            guard types.count == tokens.count else {
                throw ModelFileError(.invalidTokenizer, path: path,
                                     "tokenizer.ggml.token_type has \(types.count) entries but tokenizer.ggml.tokens has \(tokens.count)")
            }
            for (i, t) in types.enumerated() {
                guard let kind = TokenKind(rawValue: t) else {
                    throw ModelFileError(.invalidTokenizer, path: path, "token \(i) '\(tokens[i])' has unknown token type \(t) (expected 0 to 6)")
                }
                kinds[i] = kind
            }
        }

        let mergeLines = try gguf.stringArray("tokenizer.ggml.merges")
        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeLines.count)
        for (i, line) in mergeLines.enumerated() {
            guard let pair = Self.splitMerge(line) else {
                throw ModelFileError(.invalidTokenizer, path: path,
                                     "tokenizer.ggml.merges[\(i)] is '\(line)'; expected two tokens separated by a space")
            }
            merges.append(pair)
        }

        func optionalId(_ key: String) throws -> Int32? {
            guard gguf.metadata[key] != nil else { return nil }
            let n = try gguf.int(key)
            guard let id = Int32(exactly: n) else {
                throw ModelFileError(.invalidTokenizer, path: path, "\(key) is \(n), outside the vocabulary of \(tokens.count) tokens")
            }
            return id
        }
        var addsBOS = false
        if let v = gguf.metadata["tokenizer.ggml.add_bos_token"] {
            guard case .bool(let b) = v else {
                throw ModelFileError(.wrongMetadataType, path: path, "metadata 'tokenizer.ggml.add_bos_token' should be a bool, found \(v.typeName)")
            }
            addsBOS = b
        }

        var template: ChatTemplate?
        if gguf.metadata["tokenizer.chat_template"] != nil {
            template = ChatTemplate(jinja: try gguf.string("tokenizer.chat_template"))
        } else if tokens.contains("<|im_start|>") && tokens.contains("<|im_end|>") {
            template = ChatTemplate(defaultSystemPrompt: nil)
        }

        try self.init(tokens: tokens, kinds: kinds, merges: merges, preTokenizer: pre, ignoreMerges: ignoreMerges,
                      bosTokenId: try optionalId("tokenizer.ggml.bos_token_id"),
                      eosTokenId: try optionalId("tokenizer.ggml.eos_token_id"),
                      addsBOS: addsBOS, chatTemplate: template, source: path)
    }

    /// Opens the GGUF file at `path` and reads its tokenizer.
    public init(ggufPath path: String) throws {
        try self.init(gguf: GGUFFile(path: path))
    }

    /// "a b" → ("a", "b"). The separator is the first space after the first character, so a
    /// left token that is itself a space (possible outside the byte-level alphabet) survives.
    static func splitMerge(_ line: String) -> (String, String)? {
        let u = line.utf8
        guard let first = u.first, let space = u.dropFirst(first == UInt8(ascii: " ") ? 1 : 0).firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let left = line[..<space], right = line[line.utf8.index(after: space)...]
        guard !left.isEmpty, !right.isEmpty else { return nil }
        return (String(left), String(right))
    }
}

extension Tokenizer {
    /// The tokenizer that goes with a model path: the GGUF file's own vocabulary, or the
    /// `tokenizer.json` of a Hugging Face directory.
    public init(modelPath: String) throws {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: modelPath, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            try self.init(tokenizerJSON: (modelPath as NSString).appendingPathComponent("tokenizer.json"))
        } else {
            try self.init(ggufPath: modelPath)
        }
    }
}
