import Foundation
import Testing
import ModelFormats
import TestSupport
@testable import Tokenization

/// The tokenizer read from GGUF metadata: token-exact against llama.cpp on the real Qwen2.5
/// vocabulary (acceptance point 1 of issue 2), and typed errors for malformed metadata.
@Suite struct TokenizerGGUFTests {
    static let fixture = LlamaCppFixture.shared

    @Test(.enabled(if: ModelFiles.qwen05 != nil, "needs models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"))
    func matchesLlamaCppOnEveryFixtureText() throws {
        let start = Date()
        let file = try GGUFFile(path: ModelFiles.qwen05!)
        let opened = Date()
        let tokenizer = try Tokenizer(gguf: file)
        let loaded = Date()
        var matched = 0, bytes = 0
        for c in Self.fixture.cases {
            bytes += c.text.utf8.count
            let ids = tokenizer.encode(c.text)
            #expect(ids == c.ids, "\(c.name): \(c.text.debugDescription)")
            if ids == c.ids { matched += 1 }
        }
        let encoded = Date()
        #expect(Self.fixture.cases.count >= 40)
        print("Qwen2.5 vocabulary (\(tokenizer.vocabularySize) tokens): \(matched)/\(Self.fixture.cases.count) texts match llama.cpp \(Self.fixture.llama_cpp_version); "
              + "GGUF metadata \(Int(opened.timeIntervalSince(start) * 1000)) ms, tokenizer tables \(Int(loaded.timeIntervalSince(opened) * 1000)) ms, encode all \(bytes) bytes \(Int(encoded.timeIntervalSince(loaded) * 1000)) ms")
    }

    @Test(.enabled(if: ModelFiles.qwen15 != nil, "needs models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
    func theOnePointFiveBModelHasTheSameTokenizer() throws {
        let tokenizer = try Tokenizer(ggufPath: ModelFiles.qwen15!)
        for c in Self.fixture.cases {
            #expect(tokenizer.encode(c.text) == c.ids, "\(c.name)")
        }
    }

    @Test(.enabled(if: ModelFiles.qwen05 != nil, "needs the Qwen2.5 0.5B GGUF"))
    func decodeInvertsEncode() throws {
        let tokenizer = try #require(ModelFiles.qwenTokenizer)
        for c in Self.fixture.cases {
            // Bytes, not String ==: Swift's String equality would equate the NFC and NFD cases.
            #expect(Array(tokenizer.decode(tokenizer.encode(c.text)).utf8) == Array(c.text.utf8), "\(c.name)")
            #expect(Array(tokenizer.decode(c.ids).utf8) == Array(c.text.utf8), "\(c.name)")
        }
    }

    @Test(.enabled(if: ModelFiles.qwen05 != nil, "needs the Qwen2.5 0.5B GGUF"))
    func metadataOfTheQwenVocabulary() throws {
        let tokenizer = try #require(ModelFiles.qwenTokenizer)
        #expect(tokenizer.vocabularySize == 151_936)
        #expect(tokenizer.eosTokenId == 151_645)
        #expect(tokenizer.tokenText(151_645) == "<|im_end|>")
        #expect(tokenizer.bosTokenId == 151_643 && !tokenizer.addsBOS)
        #expect(tokenizer.preTokenizer == .qwen2)
        #expect(tokenizer.tokenId("<|im_start|>") == 151_644)
        #expect(tokenizer.encode("Hello world") == [9707, 1879])
        #expect(tokenizer.decode([151_644, 872, 198, 6023, 151_645], skipSpecialTokens: true) == "user\nhi")
        #expect(tokenizer.decode([151_665]) == "")  // [PAD151665]: a padding entry
    }

    // MARK: Malformed metadata (tiny GGUF files written by the test)

    @Test func tinyGGUFGivesTheHandBuiltTokenizer() throws {
        let path = try TinyVocabulary.gguf().write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try Tokenizer(ggufPath: path)
        let byHand = try TinyVocabulary.tokenizer()
        for text in ["hello world", "aaaaa<|x|>!", "<|im_start|>hel<|im_end|>"] {
            #expect(fromFile.encode(text) == byHand.encode(text))
        }
        #expect(fromFile.eosTokenId == TinyVocabulary.id("<|im_end|>"))
        // No chat_template key, but the vocabulary has the ChatML markers.
        #expect(fromFile.chatTemplate == ChatTemplate(defaultSystemPrompt: nil))
    }

    @Test func addBOSFollowsTheMetadata() throws {
        var builder = TinyVocabulary.gguf()
        builder.set("tokenizer.ggml.bos_token_id", .uint32(UInt32(TinyVocabulary.id("<|end|>"))))
        builder.set("tokenizer.ggml.add_bos_token", .bool(true))
        let path = try builder.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Tokenizer(ggufPath: path).encode("hello") == [TinyVocabulary.id("<|end|>"), TinyVocabulary.id("hello")])
    }

    func expectError(_ kind: ModelFileError.Kind, _ detail: String, _ edit: (inout GGUFWriter) -> Void) throws {
        var builder = TinyVocabulary.gguf()
        edit(&builder)
        let path = try builder.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ModelFileError.self) { try Tokenizer(ggufPath: path) }
        #expect(error?.kind == kind)
        #expect(error?.path == path)
        #expect(error?.detail.contains(detail) == true, "\(error?.description ?? "no error")")
    }

    @Test func missingTokensThrow() throws {
        try expectError(.missingMetadata, "'tokenizer.ggml.tokens' is missing") { $0.remove("tokenizer.ggml.tokens") }
    }

    @Test func missingMergesThrow() throws {
        try expectError(.missingMetadata, "'tokenizer.ggml.merges' is missing") { $0.remove("tokenizer.ggml.merges") }
    }

    @Test func mergeNamingAnUnknownTokenThrows() throws {
        try expectError(.invalidTokenizer, "merge 10 ('q z') makes 'qz', which is not in the vocabulary") {
            $0.set("tokenizer.ggml.merges", .strings(TinyVocabulary.merges.map { "\($0.0) \($0.1)" } + ["q z"]))
        }
        try expectError(.invalidTokenizer, "names 'nothere'") {
            $0.set("tokenizer.ggml.merges", .strings(["nothere a"]))
        }
    }

    @Test func mergeWithoutSeparatorThrows() throws {
        try expectError(.invalidTokenizer, "tokenizer.ggml.merges[0] is 'll'") { $0.set("tokenizer.ggml.merges", .strings(["ll"])) }
    }

    @Test func tokenTypeCountMismatchThrows() throws {
        try expectError(.invalidTokenizer, "token_type has 3 entries") { $0.set("tokenizer.ggml.token_type", .int32s([1, 1, 1])) }
    }

    @Test func unknownTokenTypeThrows() throws {
        try expectError(.invalidTokenizer, "unknown token type 9") {
            $0.set("tokenizer.ggml.token_type", .int32s([9] + TinyVocabulary.kinds.dropFirst().map { Int32($0.rawValue) }))
        }
    }

    @Test func tokensOfTheWrongTypeThrow() throws {
        try expectError(.wrongMetadataType, "'tokenizer.ggml.tokens' should be an array of strings") {
            $0.set("tokenizer.ggml.tokens", .int32s([1, 2]))
        }
    }

    @Test func unsupportedModelsThrow() throws {
        try expectError(.unsupportedTokenizer, "tokenizer.ggml.model is 'llama'") { $0.set("tokenizer.ggml.model", .string("llama")) }
        try expectError(.unsupportedTokenizer, "tokenizer.ggml.pre is 'gpt-4o'") { $0.set("tokenizer.ggml.pre", .string("gpt-4o")) }
    }

    @Test func eosOutsideTheVocabularyThrows() throws {
        try expectError(.invalidTokenizer, "EOS token id 5000") { $0.set("tokenizer.ggml.eos_token_id", .uint32(5000)) }
    }
}
