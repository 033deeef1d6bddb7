import Testing
@testable import Engine

struct NGramProposerTests {
    @Test func proposesContinuationOfLatestMatch() {
        let c: [Int32] = [1, 2, 3, 4, 9, 1, 2, 3, 5, 6, 7, 1, 2, 3]
        // Suffix [1,2,3] last occurred at 5, followed by 5 6 7.
        #expect(NGramProposer.lookup(c, minN: 1, maxN: 3, count: 3) == [5, 6, 7])
        #expect(NGramProposer.lookup(c, minN: 1, maxN: 3, count: 10) == [5, 6, 7, 1, 2, 3])
    }

    @Test func fallsBackToShorterNgramsOrNothing() {
        #expect(NGramProposer.lookup([7, 8, 9, 8], minN: 1, maxN: 3, count: 2) == [9, 8])
        #expect(NGramProposer.lookup([1, 2, 3, 4], minN: 1, maxN: 3, count: 2) == [])
        #expect(NGramProposer.lookup([1], minN: 1, maxN: 3, count: 2) == [])
        #expect(NGramProposer.lookup([1, 2, 1], minN: 2, maxN: 3, count: 2) == [])
        #expect(NGramProposer.lookup([5, 5], minN: 1, maxN: 3, count: 0) == [])
    }
}
