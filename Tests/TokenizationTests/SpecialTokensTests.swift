import Testing
@testable import Tokenization

@Suite struct SpecialTokensTests {
    let tokenizer = try! TinyVocabulary.tokenizer()
    func id(_ s: String) -> Int32 { TinyVocabulary.id(s) }
    func byte(_ c: Character) -> Int32 { TinyVocabulary.byte(c) }

    @Test func specialTokensInTextBecomeTheirIds() {
        #expect(tokenizer.encode("<|end|>") == [id("<|end|>")])
        #expect(tokenizer.encode("a<|end|>b") == [byte("a"), id("<|end|>"), byte("b")])
        #expect(tokenizer.encode("<|im_start|><|im_end|>") == [id("<|im_start|>"), id("<|im_end|>")])
    }

    @Test func userDefinedTokensAreMatchedToo() {
        #expect(tokenizer.encode("<tool>x") == [id("<tool>"), byte("x")])
    }

    @Test func longestMatchWins() {
        #expect(tokenizer.encode("a<|x|>!b<|x|>") == [byte("a"), id("<|x|>!"), byte("b"), id("<|x|>")])
    }

    @Test func textIsCutBeforePreTokenization() {
        // Without the cut, " hello" would be one word with its space; here the space is alone
        // before the special token and "hello" starts a new text piece.
        #expect(tokenizer.encode(" <|end|>hello") == [byte(" "), id("<|end|>"), id("hello")])
    }

    @Test func nearMissesAreText() {
        let ids = tokenizer.encode("<|end| <|x <end|>")
        #expect(!ids.contains { TinyVocabulary.kinds[Int($0)].isSpecial })
        #expect(tokenizer.decode(ids) == "<|end| <|x <end|>")
    }

    @Test func parsingCanBeTurnedOff() {
        let ids = tokenizer.encode("<|end|>", parseSpecialTokens: false)
        #expect(ids.count > 1 && !ids.contains(id("<|end|>")))
        #expect(tokenizer.decode(ids) == "<|end|>")
    }

    @Test func segmentsCoverTheText() {
        let matcher = SpecialTokenMatcher(vocabulary: tokenizer.vocabulary)
        let bytes = Array("ab<|x|><tool>c<|x|>!".utf8)
        let segments = bytes.withUnsafeBufferPointer { matcher.segments($0) }
        #expect(segments == [.text(0..<2), .special(id("<|x|>")), .special(id("<tool>")), .text(13..<14), .special(id("<|x|>!"))])
    }
}
