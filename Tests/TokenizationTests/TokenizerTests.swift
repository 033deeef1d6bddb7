import Foundation
import Testing
import ModelFormats
@testable import Tokenization

/// The assembled tokenizer on the hand-made vocabulary; the real vocabulary is tested in
/// TokenizerGGUFTests.
@Suite struct TokenizerTests {
    let tokenizer = try! TinyVocabulary.tokenizer()
    func id(_ s: String) -> Int32 { TinyVocabulary.id(s) }

    @Test func roundTripsArbitraryText() {
        for text in ["", "hello world", "  \t\n\r\n x", "日本語 🇯🇵 e\u{301}", "<|im_start|>user\nhi<|im_end|>", "\u{0}\u{7f}"] {
            #expect(Array(tokenizer.decode(tokenizer.encode(text)).utf8) == Array(text.utf8), "\(text.debugDescription)")
        }
    }

    @Test func decodeCanSkipControlTokens() {
        let ids = tokenizer.encode("<|im_start|>hello<tool><|im_end|>")
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "hello<tool>")
    }

    @Test func paddingEntriesDecodeToNothing() {
        #expect(tokenizer.decode([id("hello"), id("[PAD272]")]) == "hello")
    }

    @Test func invalidUTF8DecodesToReplacementCharacters() {
        // The first two bytes of "€" (E2 82) without the third.
        let e2 = Int32(TinyVocabulary.byteOrder.firstIndex(of: 0xE2)!)
        let x82 = Int32(TinyVocabulary.byteOrder.firstIndex(of: 0x82)!)
        #expect(tokenizer.decode([e2, x82, TinyVocabulary.byte("a")]) == "\u{FFFD}a")
    }

    @Test func lookups() {
        #expect(tokenizer.vocabularySize == 273)
        #expect(tokenizer.tokenText(id("Ġwor")) == "Ġwor")
        #expect(Array(tokenizer.tokenBytes(id("Ġwor"))) == Array(" wor".utf8))
        #expect(tokenizer.tokenId("<|im_end|>") == id("<|im_end|>"))
        #expect(tokenizer.tokenId(" wor") == id("Ġwor"))
        #expect(tokenizer.tokenId("nope") == nil)
        #expect(tokenizer.eosTokenId == id("<|im_end|>"))
        #expect(tokenizer.bosTokenId == nil && !tokenizer.addsBOS)
    }

    @Test func addsBOSWhenAsked() throws {
        let t = try Tokenizer(tokens: TinyVocabulary.tokens, kinds: TinyVocabulary.kinds, merges: TinyVocabulary.merges,
                              bosTokenId: id("<|end|>"), addsBOS: true)
        #expect(t.encode("hello") == [id("<|end|>"), id("hello")])
        #expect(t.encode("") == [id("<|end|>")])
    }

    @Test func nfcNormalizationWhenAsked() throws {
        let t = try TinyVocabulary.tokenizer(normalizesToNFC: true)
        #expect(t.encode("e\u{301}") == t.encode("\u{e9}"))
        #expect(tokenizer.encode("e\u{301}") != tokenizer.encode("\u{e9}"))
    }

    @Test func concurrentEncodingAgrees() {
        let texts = (0..<64).map { "hello world \($0) aaaa<|end|>hel " + String(repeating: "l", count: $0) }
        let expected = texts.map { tokenizer.encode($0) }
        let fresh = try! TinyVocabulary.tokenizer()  // its cache is filled by the threads
        let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: texts.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: texts.count) { results[$0] = fresh.encode(texts[$0]) }
        #expect(Array(results) == expected)
    }

    // MARK: Inconsistent tables

    func expectInvalid(_ detail: String, tokens: [String] = TinyVocabulary.tokens, kinds: [TokenKind] = TinyVocabulary.kinds,
                       merges: [(String, String)] = TinyVocabulary.merges, eos: Int32? = nil) {
        let error = #expect(throws: ModelFileError.self) {
            try Tokenizer(tokens: tokens, kinds: kinds, merges: merges, eosTokenId: eos, source: "test.gguf")
        }
        #expect(error?.kind == .invalidTokenizer)
        #expect(error?.path == "test.gguf")
        #expect(error?.detail.contains(detail) == true, "\(error?.detail ?? "no error")")
    }

    @Test func mergeNamingAnUnknownTokenThrows() {
        expectInvalid("names 'zz', which is not in the vocabulary", merges: TinyVocabulary.merges + [("zz", "a")])
    }

    @Test func mergeMakingAnUnknownTokenThrows() {
        expectInvalid("makes 'ab', which is not in the vocabulary", merges: TinyVocabulary.merges + [("a", "b")])
    }

    @Test func missingByteTokenThrows() {
        var tokens = TinyVocabulary.tokens
        tokens[0] = "!!"  // the entry for byte 0x21 now spells two bytes
        expectInvalid("no token for byte 0x21", tokens: tokens, merges: [])
    }

    @Test func normalTokenOutsideTheByteAlphabetThrows() {
        var tokens = TinyVocabulary.tokens
        tokens.append("a b")
        expectInvalid("token 273 'a b' contains U+20", tokens: tokens, kinds: TinyVocabulary.kinds + [.normal])
    }

    @Test func mismatchedTypesThrow() {
        expectInvalid("273 tokens but 272 token types", kinds: Array(TinyVocabulary.kinds.dropLast()))
    }

    @Test func eosOutsideTheVocabularyThrows() {
        expectInvalid("EOS token id 9999 is outside the vocabulary", eos: 9999)
    }
}
