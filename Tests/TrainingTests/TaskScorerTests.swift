import Testing
import Training

struct TaskScorerTests {
    static func input(_ text: String, _ tokens: [Int32] = []) -> ScoringInput {
        ScoringInput(promptIndex: 0, promptTokens: [1], completionTokens: tokens, text: text)
    }

    @Test func namedScorers() throws {
        #expect(try TaskScorer.named("constant")!.score(Self.input("x")) == 1)
        #expect(try TaskScorer.named("constant:0.25")!.score(Self.input("x")) == 0.25)
        #expect(try TaskScorer.named("char-fraction:a")!.score(Self.input("abca")) == 0.5)
        #expect(try TaskScorer.named("char-fraction:a")!.score(Self.input("")) == 0)
        #expect(try TaskScorer.named("token-fraction:7")!.score(Self.input("", [7, 1, 7, 7])) == 0.75)
        for bad in ["", "constant:x", "char-fraction:ab", "token-fraction:", "accuracy"] { #expect(TaskScorer.named(bad) == nil, "\(bad)") }
    }
}
