import Testing
@testable import Tokenization

/// BPE on the tiny vocabulary, whose merge ranks are
/// 0 "l l", 1 "h e", 2 "he ll", 3 "hell o", 4 "Ġ w", 5 "o r", 6 "Ġw or", 7 "l d", 8 "e l", 9 "a a".
@Suite struct BPETests {
    let tokenizer = try! TinyVocabulary.tokenizer()
    func id(_ s: String) -> Int32 { TinyVocabulary.id(s) }
    func byte(_ c: Character) -> Int32 { TinyVocabulary.byte(c) }

    @Test func lowestRankMergesFirst() {
        // l·l (0) before h·e (1) before he·ll (2) before hell·o (3); e·l (8) never gets a chance.
        #expect(tokenizer.encode("hello") == [id("hello")])
        // h·e (1) beats e·l (8), leaving "he" "l".
        #expect(tokenizer.encode("hel") == [id("he"), byte("l")])
        // Without h in front, e·l applies.
        #expect(tokenizer.encode("el") == [id("el")])
    }

    @Test func mergesChainAcrossRanks() {
        // Ġ·w (4), o·r (5), Ġw·or (6), l·d (7)
        #expect(tokenizer.encode(" world") == [id("Ġwor"), id("ld")])
        #expect(tokenizer.encode("hello world") == [id("hello"), id("Ġwor"), id("ld")])
    }

    @Test func equalPairsMergeLeftmostFirst() {
        #expect(tokenizer.encode("aaa") == [id("aa"), byte("a")])
        #expect(tokenizer.encode("aaaa") == [id("aa"), id("aa")])
        #expect(tokenizer.encode("aaaaa") == [id("aa"), id("aa"), byte("a")])
        #expect(tokenizer.encode("lll") == [id("ll"), byte("l")])
    }

    @Test func unmergeableBytesStaySingle() {
        #expect(tokenizer.encode("xyz") == [byte("x"), byte("y"), byte("z")])
        let euro = tokenizer.encode("€")  // three bytes, no merges
        #expect(euro.count == 3)
        #expect(tokenizer.decode(euro) == "€")
    }

    @Test func longWordsStayLinearithmic() {
        // 100,000 bytes in one word (past the cache limit): the heap keeps this well under a second.
        let text = String(repeating: "a", count: 100_000)
        let ids = tokenizer.encode(text)
        #expect(ids.count == 50_000 && ids.allSatisfy { $0 == id("aa") })
    }

    @Test func cachedAndUncachedResultsAgree() {
        let first = tokenizer.encode("hello hello hello")
        let again = tokenizer.encode("hello hello hello")
        #expect(first == again)
        #expect(first == [id("hello"), byte(" "), id("hello"), byte(" "), id("hello")])
    }
}
