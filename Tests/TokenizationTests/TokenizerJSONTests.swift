import Foundation
import Testing
import ModelFormats
@testable import Tokenization

/// Fixtures/tiny-tokenizer/tokenizer.json is the tiny vocabulary of TinyVocabulary.swift written
/// out in Hugging Face's format (merges as "a b" strings, six added tokens, NFC normalizer,
/// Qwen2 split), with a tokenizer_config.json beside it. The expected ids below were checked
/// with Hugging Face `tokenizers` 0.23.3 (`Tokenizer.from_file(...).encode(text).ids`).
@Suite struct TokenizerJSONTests {
    static let directory = ModelFiles.fixtures.appendingPathComponent("tiny-tokenizer")
    static let file = directory.appendingPathComponent("tokenizer.json")

    static let expected: [(String, [Int32])] = [
        ("hello", [259]),
        ("hello world", [259, 262, 263]),
        ("aaaaa", [265, 265, 64]),
        ("hel", [257, 75]),
        ("a<|x|>!b<|x|>", [64, 268, 65, 267]),
        ("<|im_start|>user\nhello<|im_end|>", [270, 84, 82, 68, 81, 198, 259, 271]),
        ("e\u{301}", [127, 102]),  // NFC first: é is C3 A9
        ("<tool>x", [269, 87]),
        ("don't  stop\n\n", [67, 78, 77, 6, 83, 220, 220, 82, 83, 78, 79, 198, 198]),
    ]

    @Test func matchesHuggingFaceAndTheHandBuiltVocabulary() throws {
        let fromJSON = try Tokenizer(tokenizerJSON: Self.file)
        let byHand = try TinyVocabulary.tokenizer(normalizesToNFC: true)
        for (text, ids) in Self.expected {
            #expect(fromJSON.encode(text) == ids, "\(text.debugDescription)")
            #expect(byHand.encode(text) == ids, "\(text.debugDescription)")
        }
        #expect(fromJSON.vocabularySize == 272)
        #expect(fromJSON.normalizesToNFC)
    }

    @Test func readsTokenizerConfig() throws {
        let t = try Tokenizer(tokenizerJSON: Self.file.path)
        #expect(t.eosTokenId == 271)
        #expect(t.chatTemplate?.defaultSystemPrompt == "You are a tiny test model.")
        #expect(t.decode(t.encodeChat(prompt: "hello")) ==
            "<|im_start|>system\nYou are a tiny test model.<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n")
    }

    /// Writes `root` (edited from the fixture) to a fresh directory as tokenizer.json.
    static func write(_ edit: (inout [String: Any]) -> Void) throws -> URL {
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        edit(&root)
        return try writeRaw(JSONSerialization.data(withJSONObject: root))
    }

    static func writeRaw(_ data: Data) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("tokenizer.json")
        try data.write(to: url)
        return url
    }

    static func editModel(_ root: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var model = root["model"] as! [String: Any]
        edit(&model)
        root["model"] = model
    }

    @Test func mergesAsArraysGiveTheSameIds() throws {
        let url = try Self.write { root in
            Self.editModel(&root) { model in
                model["merges"] = (model["merges"] as! [String]).map { $0.split(separator: " ").map(String.init) }
            }
        }
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let t = try Tokenizer(tokenizerJSON: url)
        for (text, ids) in Self.expected { #expect(t.encode(text) == ids) }
        #expect(t.eosTokenId == nil)  // no tokenizer_config.json beside this copy
    }

    func expectError(_ kind: ModelFileError.Kind, _ detail: String, url: URL) {
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let error = #expect(throws: ModelFileError.self) { try Tokenizer(tokenizerJSON: url) }
        #expect(error?.kind == kind)
        #expect(error?.path == url.path)
        #expect(error?.detail.contains(detail) == true, "\(error?.description ?? "no error")")
    }

    @Test func badJSONThrows() throws {
        expectError(.invalidTokenizer, "not valid JSON", url: try Self.writeRaw(Data(#"{"model": {"vocab": {"a": 0,}"#.utf8)))
        expectError(.invalidTokenizer, "not a JSON object", url: try Self.writeRaw(Data("[1, 2]".utf8)))
    }

    @Test func missingFileThrows() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)/tokenizer.json")
        let error = #expect(throws: ModelFileError.self) { try Tokenizer(tokenizerJSON: url) }
        #expect(error?.kind == .unreadable)
        #expect(error?.path == url.path)
    }

    @Test func missingTablesThrow() throws {
        expectError(.invalidTokenizer, "'model.vocab' is missing", url: try Self.write { root in
            Self.editModel(&root) { $0["vocab"] = nil }
        })
        expectError(.invalidTokenizer, "'model.merges' is missing", url: try Self.write { root in
            Self.editModel(&root) { $0["merges"] = nil }
        })
        expectError(.invalidTokenizer, "'model' is missing", url: try Self.write { $0["model"] = nil })
    }

    @Test func badMergesThrow() throws {
        expectError(.invalidTokenizer, "names 'zz', which is not in the vocabulary", url: try Self.write { root in
            Self.editModel(&root) { $0["merges"] = ["zz a"] }
        })
        expectError(.invalidTokenizer, "model.merges[0] is 7", url: try Self.write { root in
            Self.editModel(&root) { $0["merges"] = [7] }
        })
    }

    @Test func badVocabularyThrows() throws {
        expectError(.invalidTokenizer, "gives id 0 to both", url: try Self.write { root in
            Self.editModel(&root) { model in
                var vocab = model["vocab"] as! [String: Any]
                vocab["extra"] = 0
                model["vocab"] = vocab
            }
        })
    }

    @Test func unsupportedComponentsThrow() throws {
        expectError(.unsupportedTokenizer, "model.type is 'WordPiece'", url: try Self.write { root in
            Self.editModel(&root) { $0["type"] = "WordPiece" }
        })
        expectError(.unsupportedTokenizer, "pre_tokenizer", url: try Self.write { root in
            root["pre_tokenizer"] = ["type": "Whitespace"]
        })
        expectError(.unsupportedTokenizer, "normalizer 'NFKC'", url: try Self.write { root in
            root["normalizer"] = ["type": "NFKC"]
        })
    }

    /// The full Qwen2.5 vocabulary in tokenizer.json form gives llama.cpp's ids, except that its
    /// NFC normalizer makes the NFD text tokenize like the NFC one (as in Hugging Face).
    @Test(.enabled(if: ModelFiles.qwenTokenizerJSON != nil, "needs $SPECGRPO_QWEN_TOKENIZER_JSON"))
    func fullSizeQwenTokenizerJSONMatchesLlamaCpp() throws {
        let start = Date()
        let tokenizer = try Tokenizer(tokenizerJSON: ModelFiles.qwenTokenizerJSON!)
        let loaded = Date()
        let fixture = LlamaCppFixture.shared
        for c in fixture.cases {
            let expected = c.name == "accents_nfd" ? fixture.text("accents_nfc").ids : c.ids
            #expect(tokenizer.encode(c.text) == expected, "\(c.name)")
        }
        #expect(tokenizer.eosTokenId == 151_645)
        #expect(tokenizer.chatTemplate?.defaultSystemPrompt == "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
        print("Qwen2.5 tokenizer.json: \(fixture.cases.count) texts checked; load \(Int(loaded.timeIntervalSince(start) * 1000)) ms")
    }
}
