import Foundation
import Testing
import Tasks

struct MathDatasetTests {
    /// Five hand-written problems in GSM8K's format (not generated; edit by hand).
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gsm8k-sample.jsonl").path

    static func numbered(_ n: Int) -> MathDataset {
        MathDataset(problems: (0..<n).map { MathProblem(question: "Q\($0)", answer: "#### \($0)", finalAnswer: Decimal($0)) },
                    source: "numbered")
    }

    @Test func loadsTheFixture() throws {
        let data = try MathDataset(contentsOf: Self.fixture)
        #expect(data.count == 5)
        #expect(data.source == Self.fixture)
        #expect(data.problems.map(\.finalAnswer) == [42, 5, 930, -5, 17500])
        #expect(data[0].question.hasPrefix("Mara picks 14 lemons"))
        #expect(data[4].solution == "In 14 days it makes 1250 * 14 = <<1250*14=17500>>17500 cars.")
    }

    static let exported = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/gsm-symbolic").standardized.path
    static let hasExport = FileManager.default.fileExists(atPath: exported + "/train.jsonl")
        && FileManager.default.fileExists(atPath: exported + "/test.jsonl")

    /// The GSM-Symbolic export loads through the same path as GSM8K, and its splits share no question.
    @Test(.enabled(if: hasExport, "no GSM-Symbolic export in data/gsm-symbolic: run scripts/fetch-data.sh"))
    func loadsTheGSMSymbolicExport() throws {
        let train = try MathDataset(contentsOf: Self.exported + "/train.jsonl")
        let test = try MathDataset(contentsOf: Self.exported + "/test.jsonl")
        #expect(train.count > 0 && test.count > 0)
        #expect(Set(train.problems.map(\.question)).isDisjoint(with: test.problems.map(\.question)))
        // The reference solutions score as correct under the extractor, via their "#### N" line.
        for p in train.problems + test.problems {
            #expect(AnswerExtraction.isCorrect(completion: p.answer, expected: p.finalAnswer), "\(p.question)")
        }
    }

    @Test func unreadableFilesAreErrors() throws {
        #expect(throws: TaskDataError.unreadableFile(file: "/nonexistent/gsm8k.jsonl", reason: "no such file")) {
            try MathDataset(contentsOf: "/nonexistent/gsm8k.jsonl")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let latin1 = dir.appendingPathComponent("latin1.jsonl")
        try Data([0x7B, 0xE9, 0x7D, 0x0A]).write(to: latin1)
        #expect(throws: TaskDataError.unreadableFile(file: latin1.path, reason: "the file is not UTF-8 text")) {
            try MathDataset(contentsOf: latin1.path)
        }
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        #expect(throws: TaskDataError.emptyDataset(file: empty.path)) { try MathDataset(contentsOf: empty.path) }
    }

    @Test func subsetsAreReproduciblePrefixesOfOnePermutation() {
        let data = Self.numbered(50)
        let ten = data.subsetIndices(count: 10, seed: 7)
        #expect(ten == data.subsetIndices(count: 10, seed: 7))
        #expect(ten.count == 10 && Set(ten).count == 10)
        #expect(ten != data.subsetIndices(count: 10, seed: 8))
        #expect(Array(data.subsetIndices(count: 20, seed: 7).prefix(10)) == ten)
        #expect(data.subset(count: 10, seed: 7).map(\.question) == ten.map { "Q\($0)" })
        #expect(data.subsetIndices(count: 0, seed: 7).isEmpty)
    }

    /// nil or an oversized count gives every problem, in the same seeded order.
    @Test func allMeansEveryProblemInSeededOrder() {
        let data = Self.numbered(20)
        let all = data.subsetIndices(count: nil, seed: 3)
        #expect(all.sorted() == Array(0..<20))
        #expect(all != Array(0..<20))
        #expect(data.subsetIndices(count: 20, seed: 3) == all)
        #expect(data.subsetIndices(count: 1000, seed: 3) == all)
        #expect(data.subset(count: nil, seed: 3).count == 20)
    }
}
