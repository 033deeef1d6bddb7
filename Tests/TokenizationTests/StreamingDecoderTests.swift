import Testing
@testable import Tokenization

@Suite struct StreamingDecoderTests {
    /// Feeds `ids` one by one; returns the chunks, the last one from `finish()`.
    static func stream(_ tokenizer: Tokenizer, _ ids: [Int32]) -> [String] {
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        return ids.map { decoder.append($0) } + [decoder.finish()]
    }

    func bytes(_ values: [UInt8]) -> [Int32] {
        values.map { b in Int32(TinyVocabulary.byteOrder.firstIndex(of: b)!) }
    }

    @Test func holdsBackAnEmojiUntilItsLastByte() throws {
        let tokenizer = try TinyVocabulary.tokenizer()
        let chunks = Self.stream(tokenizer, bytes(Array("a🍕b".utf8)))
        #expect(chunks == ["a", "", "", "", "🍕", "b", ""])
    }

    @Test func invalidSequencesMatchDecode() throws {
        let tokenizer = try TinyVocabulary.tokenizer()
        let cases: [[UInt8]] = [
            [0xF0, 0x9F, 0x41],       // cut-off emoji, then ASCII
            [0xE0, 0x80, 0x80],       // overlong: never a valid prefix
            [0x80, 0x80, 0x41],       // stray continuation bytes
            [0xED, 0xA0, 0x80],       // a surrogate
            [0x41, 0xF0, 0x9F, 0x8D], // cut off at the very end: finish() gives U+FFFD
            [0xF4, 0x90, 0x80, 0x80], // beyond U+10FFFF
        ]
        for raw in cases {
            let ids = bytes(raw)
            #expect(Self.stream(tokenizer, ids).joined() == tokenizer.decode(ids), "\(raw)")
        }
    }

    @Test(.enabled(if: ModelFiles.qwen05 != nil, "needs the Qwen2.5 0.5B GGUF"))
    func streamsEveryFixtureTextLikeDecode() throws {
        let tokenizer = try #require(ModelFiles.qwenTokenizer)
        var heldBack = 0
        for c in LlamaCppFixture.shared.cases {
            let chunks = Self.stream(tokenizer, c.ids)
            let whole = Array(tokenizer.decode(c.ids).utf8)
            #expect(Array(chunks.joined().utf8) == whole, "\(c.name)")
            // After every token, what was emitted is a prefix of the whole text's bytes: a cut-off
            // character would have come out as U+FFFD (EF BF BD) and broken the prefix.
            var emitted: [UInt8] = []
            for chunk in chunks {
                emitted += chunk.utf8
                #expect(whole.starts(with: emitted), "\(c.name)")
            }
            heldBack += chunks.dropLast().filter(\.isEmpty).count
        }
        // Emoji and CJK texts have tokens that end mid-character.
        #expect(heldBack > 0)
    }

    @Test(.enabled(if: ModelFiles.qwen05 != nil, "needs the Qwen2.5 0.5B GGUF"))
    func zwjFamilySplitAcrossTokens() throws {
        let tokenizer = try #require(ModelFiles.qwenTokenizer)
        // llama.cpp: 👨‍👩‍👧 is 👨, then U+200D (E2 80 8D) as two tokens "âĢ" (E2 80) + "į" (8D), ...
        let ids: [Int32] = [145_367, 378, 235, 145_233, 378, 235, 145_665]
        #expect(Array(tokenizer.tokenBytes(378)) == [0xE2, 0x80])
        let chunks = Self.stream(tokenizer, ids)
        #expect(chunks == ["👨", "", "\u{200D}", "👩", "", "\u{200D}", "👧", ""])
        #expect(chunks.joined() == "👨‍👩‍👧")
    }
}
