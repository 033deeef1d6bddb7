import Testing
@testable import Tokenization

@Suite struct VocabularyTests {
    let vocabulary = try! TinyVocabulary.tokenizer().vocabulary

    @Test func everyEntryIsFoundByItsBytes() {
        for id in 0..<vocabulary.count where vocabulary.kinds[id] != .unused {
            #expect(vocabulary.id(forBytes: Array(vocabulary.bytes(of: Int32(id)))) == Int32(id), "\(vocabulary.texts[id])")
        }
    }

    @Test func normalEntriesAreStoredAsBytesAndSpecialOnesAsText() {
        #expect(Array(vocabulary.bytes(of: TinyVocabulary.id("Ġwor"))) == Array(" wor".utf8))
        #expect(Array(vocabulary.bytes(of: TinyVocabulary.id("<|end|>"))) == Array("<|end|>".utf8))
        #expect(vocabulary.bytes(of: TinyVocabulary.id("[PAD272]")).isEmpty)
    }

    @Test func normalEntriesWinOverSpecialOnesWithTheSameBytes() throws {
        // A user-defined "hello" spells the same bytes as the merged normal entry.
        let v = try Vocabulary(texts: TinyVocabulary.tokens + ["hello"], kinds: TinyVocabulary.kinds + [.userDefined], path: "t")
        #expect(v.id(forBytes: Array("hello".utf8)) == TinyVocabulary.id("hello"))
    }

    @Test func absentKeys() {
        #expect(vocabulary.id(forBytes: Array("zzz".utf8)) == nil)
        #expect(vocabulary.id(forBytes: []) == nil)
    }
}
