import Foundation
import ModelFormats

extension Tokenizer {
    /// Split patterns of Hugging Face `pre_tokenizer`s this package implements by hand, with
    /// whether the model skips merges for whole-token words.
    static let knownSplitPatterns: [String: (PreTokenizer, ignoreMerges: Bool)] = [
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: (.qwen2, false),
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: (.llama3, true),
    ]

    /// The tokenizer of a Hugging Face `tokenizer.json` (the `tokenizers` library's
    /// serialization): a `BPE` model with `vocab` and `merges` (each merge either `"a b"` or
    /// `["a", "b"]`), `added_tokens` (special and not), an optional `NFC` normalizer, and the
    /// Qwen2 or Llama 3 split followed by `ByteLevel`. A `tokenizer_config.json` beside it, when
    /// present, supplies the EOS/BOS tokens and the chat template.
    ///
    /// - Throws: `ModelFileError` naming the file: `.unreadable` when it cannot be read,
    ///   `.invalidTokenizer` for bad JSON or inconsistent tables, `.unsupportedTokenizer` for
    ///   components this package does not implement.
    public init(tokenizerJSON url: URL) throws {
        let path = url.path
        let root = try Self.readJSONObject(url)
        let json = JSONFields(path: path)

        let model = try json.object(root["model"], "model")
        if let type = model["type"] as? String, type != "BPE" {
            throw ModelFileError(.unsupportedTokenizer, path: path, "model.type is '\(type)'; only 'BPE' is supported")
        }
        if (model["byte_fallback"] as? Bool) == true {
            throw ModelFileError(.unsupportedTokenizer, path: path, "model.byte_fallback is true (SentencePiece-style BPE); only byte-level BPE is supported")
        }
        let vocab = try json.object(model["vocab"], "model.vocab")
        let mergeList = try json.array(model["merges"], "model.merges")

        // Ids: the vocabulary, then added tokens (which may also appear in the vocabulary).
        var entries: [Int: (text: String, kind: TokenKind)] = [:]
        entries.reserveCapacity(vocab.count + 64)
        for (text, value) in vocab {
            guard let id = value as? Int, id >= 0 else {
                throw ModelFileError(.invalidTokenizer, path: path, "model.vocab['\(text)'] is \(value); expected a non-negative integer id")
            }
            if let other = entries[id] {
                throw ModelFileError(.invalidTokenizer, path: path, "model.vocab gives id \(id) to both '\(other.text)' and '\(text)'")
            }
            entries[id] = (text, .normal)
        }
        let addedValue = root["added_tokens"]
        let added = addedValue == nil || addedValue is NSNull ? [] : try json.array(addedValue, "added_tokens")
        var specialIds: [String: Int32] = [:]
        for (i, element) in added.enumerated() {
            let field = "added_tokens[\(i)]"
            let token = try json.object(element, field)
            guard let id = token["id"] as? Int, id >= 0 else {
                throw ModelFileError(.invalidTokenizer, path: path, "\(field).id is missing or not a non-negative integer")
            }
            guard let content = token["content"] as? String, !content.isEmpty else {
                throw ModelFileError(.invalidTokenizer, path: path, "\(field).content is missing or empty")
            }
            for flag in ["lstrip", "rstrip", "single_word"] where (token[flag] as? Bool) == true {
                throw ModelFileError(.unsupportedTokenizer, path: path, "\(field) ('\(content)') sets \(flag), which is not supported")
            }
            let special = (token["special"] as? Bool) ?? false
            entries[id] = (content, special ? .control : .userDefined)
            specialIds[content] = Int32(id)
        }
        guard let maxId = entries.keys.max() else {
            throw ModelFileError(.invalidTokenizer, path: path, "model.vocab is empty")
        }
        guard maxId < Int(Int32.max) else {
            throw ModelFileError(.invalidTokenizer, path: path, "token id \(maxId) does not fit 32 bits")
        }
        // Ids nobody claims are padding: they decode to nothing and are never produced.
        var tokens = [String](repeating: "", count: maxId + 1)
        var kinds = [TokenKind](repeating: .unused, count: maxId + 1)
        for (id, entry) in entries {
            tokens[id] = entry.text
            kinds[id] = entry.kind
        }

        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeList.count)
        for (i, element) in mergeList.enumerated() {
            if let line = element as? String, let pair = Self.splitMerge(line) {
                merges.append(pair)
            } else if let pair = element as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String {
                merges.append((a, b))
            } else {
                throw ModelFileError(.invalidTokenizer, path: path,
                                     "model.merges[\(i)] is \(element); expected \"a b\" or [\"a\", \"b\"]")
            }
        }

        let normalizesToNFC = try Self.readNormalizer(root["normalizer"], json)
        let (pre, ignoreMerges) = try Self.readPreTokenizer(root["pre_tokenizer"], json)
        let modelIgnoresMerges = (model["ignore_merges"] as? Bool) ?? ignoreMerges

        // A TemplateProcessing post-processor whose single-sequence template starts with a
        // special token is how tokenizer.json asks for a BOS token (Llama 3).
        var bos: Int32?
        var addsBOS = false
        if let post = root["post_processor"] as? [String: Any], post["type"] as? String == "TemplateProcessing",
           let single = post["single"] as? [Any], let first = single.first as? [String: Any],
           let special = first["SpecialToken"] as? [String: Any], let name = special["id"] as? String {
            guard let id = specialIds[name] else {
                throw ModelFileError(.invalidTokenizer, path: path, "post_processor adds '\(name)', which is not an added token")
            }
            bos = id
            addsBOS = true
        }

        // tokenizer_config.json carries what tokenizer.json leaves to the `transformers` side.
        var eos: Int32?
        var template: ChatTemplate?
        let configURL = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            let config = try Self.readJSONObject(configURL)
            func specialId(_ key: String) throws -> Int32? {
                let value = config[key]
                let name = (value as? String) ?? ((value as? [String: Any])?["content"] as? String)
                guard let name else { return nil }
                guard let id = specialIds[name] ?? tokens.firstIndex(of: name).map({ Int32($0) }) else {
                    throw ModelFileError(.invalidTokenizer, path: configURL.path, "\(key) '\(name)' is not a token of \(path)")
                }
                return id
            }
            eos = try specialId("eos_token")
            bos = try bos ?? specialId("bos_token")
            if let text = config["chat_template"] as? String {
                template = ChatTemplate(jinja: text)
            } else if let named = config["chat_template"] as? [[String: Any]],
                      let text = named.first(where: { $0["name"] as? String == "default" })?["template"] as? String {
                template = ChatTemplate(jinja: text)
            }
        }
        if template == nil && specialIds["<|im_start|>"] != nil && specialIds["<|im_end|>"] != nil {
            template = ChatTemplate(defaultSystemPrompt: nil)
        }

        try self.init(tokens: tokens, kinds: kinds, merges: merges, preTokenizer: pre,
                      ignoreMerges: modelIgnoresMerges, bosTokenId: bos, eosTokenId: eos, addsBOS: addsBOS,
                      chatTemplate: template, normalizesToNFC: normalizesToNFC, source: path)
    }

    /// Reads the `tokenizer.json` at `path` (see `init(tokenizerJSON:)` taking a URL).
    public init(tokenizerJSON path: String) throws {
        try self.init(tokenizerJSON: URL(fileURLWithPath: path))
    }

    private static func readJSONObject(_ url: URL) throws -> [String: Any] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelFileError(.unreadable, path: url.path, "cannot read the file: \(error.localizedDescription)")
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ModelFileError(.invalidTokenizer, path: url.path, "not valid JSON: \(error.localizedDescription)")
        }
        guard let object = parsed as? [String: Any] else {
            throw ModelFileError(.invalidTokenizer, path: url.path, "the top level is not a JSON object")
        }
        return object
    }

    /// Whether the normalizer is NFC; nil and an empty sequence mean no normalization.
    private static func readNormalizer(_ value: Any?, _ json: JSONFields) throws -> Bool {
        guard let value, !(value is NSNull) else { return false }
        let n = try json.object(value, "normalizer")
        switch n["type"] as? String {
        case "NFC": return true
        case "Sequence" where (n["normalizers"] as? [Any])?.isEmpty == true: return false
        case let other:
            throw ModelFileError(.unsupportedTokenizer, path: json.path,
                                 "normalizer '\(other ?? "?")' is not supported (supported: none, NFC)")
        }
    }

    /// The split before byte-level mapping: a `Sequence` of a `Split` with a known pattern
    /// (behaviour `Isolated`) and a `ByteLevel` step that does not split again.
    private static func readPreTokenizer(_ value: Any?, _ json: JSONFields) throws -> (PreTokenizer, ignoreMerges: Bool) {
        let unsupported = { (why: String) in
            ModelFileError(.unsupportedTokenizer, path: json.path, "pre_tokenizer: \(why); supported: the Qwen2 and Llama 3 splits followed by ByteLevel")
        }
        guard let value, !(value is NSNull) else { throw unsupported("none is given") }
        let p = try json.object(value, "pre_tokenizer")
        guard p["type"] as? String == "Sequence", let steps = p["pretokenizers"] as? [[String: Any]], steps.count == 2 else {
            throw unsupported("type '\(p["type"] as? String ?? "?")' with these steps")
        }
        let split = steps[0], byteLevel = steps[1]
        guard split["type"] as? String == "Split",
              let pattern = (split["pattern"] as? [String: Any])?["Regex"] as? String,
              let known = knownSplitPatterns[pattern] else {
            throw unsupported("first step is not a Split with a known pattern")
        }
        guard (split["behavior"] as? String) == "Isolated", (split["invert"] as? Bool) != true else {
            throw unsupported("Split behavior must be 'Isolated' and not inverted")
        }
        guard byteLevel["type"] as? String == "ByteLevel", (byteLevel["use_regex"] as? Bool) != true,
              (byteLevel["add_prefix_space"] as? Bool) != true else {
            throw unsupported("second step must be ByteLevel without its own regex or prefix space")
        }
        return known
    }
}

/// Typed access to parsed JSON with errors that name the file and field.
struct JSONFields {
    let path: String

    func object(_ value: Any?, _ field: String) throws -> [String: Any] {
        guard let value else { throw ModelFileError(.invalidTokenizer, path: path, "'\(field)' is missing") }
        guard let object = value as? [String: Any] else {
            throw ModelFileError(.invalidTokenizer, path: path, "'\(field)' should be a JSON object, found \(Self.typeName(value))")
        }
        return object
    }

    func array(_ value: Any?, _ field: String) throws -> [Any] {
        guard let value else { throw ModelFileError(.invalidTokenizer, path: path, "'\(field)' is missing") }
        guard let array = value as? [Any] else {
            throw ModelFileError(.invalidTokenizer, path: path, "'\(field)' should be a JSON array, found \(Self.typeName(value))")
        }
        return array
    }

    static func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: "null"
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case is Bool, is Int, is Double, is NSNumber: "a number or boolean"
        default: "\(type(of: value))"
        }
    }
}
