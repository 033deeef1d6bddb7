import Curriculum
import Foundation

/// A list of math problems from one source, with reproducible subsets.
public struct MathDataset: Sendable, Equatable {
    /// The problems, in file order.
    public let problems: [MathProblem]
    /// Where they came from (a path, or a name given by the caller); error messages use it.
    public let source: String

    /// A dataset of `problems`, which must not be empty.
    public init(problems: [MathProblem], source: String) {
        precondition(!problems.isEmpty, "MathDataset needs at least one problem (\(source))")
        self.problems = problems
        self.source = source
    }

    /// Parses GSM8K-format JSON Lines text; see `GSM8KFormat.parse(_:file:)`.
    public init(jsonl text: String, source: String) throws {
        self.init(problems: try GSM8KFormat.parse(text, file: source), source: source)
    }

    /// Loads a GSM8K-format JSON Lines file: the real GSM8K `train.jsonl`/`test.jsonl`, or the
    /// GSM-Symbolic files `scripts/export-gsm-symbolic.py` writes.
    ///
    /// - Throws: `TaskDataError.unreadableFile` when the file cannot be read or is not UTF-8, and
    ///   the errors of `GSM8KFormat.parse(_:file:)`, each naming `path` and the line.
    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TaskDataError.unreadableFile(file: path, reason: "no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TaskDataError.unreadableFile(file: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TaskDataError.unreadableFile(file: path, reason: "the file is not UTF-8 text")
        }
        try self.init(jsonl: text, source: path)
    }

    /// The number of problems.
    public var count: Int { problems.count }

    /// The problem at `index`, in file order.
    public subscript(index: Int) -> MathProblem { problems[index] }

    /// The indices of a reproducible random subset: a permutation of all indices drawn with
    /// `SeededGenerator(seed:)`, cut to its first `count`.
    ///
    /// The same seed gives the same indices in the same order, on every machine and Swift release.
    /// Because the subset is a prefix of one permutation, a larger count extends a smaller one:
    /// the first 100 of a 200-problem subset are the 100-problem subset.
    /// - Parameters:
    ///   - count: how many problems; nil, or a count of at least `self.count`, gives all of them
    ///     (still in the seeded order). Must not be negative.
    ///   - seed: the generator's seed.
    public func subsetIndices(count: Int?, seed: UInt64) -> [Int] {
        if let count { precondition(count >= 0, "subset count must not be negative, got \(count)") }
        var generator = SeededGenerator(seed: seed)
        var order = Array(problems.indices)
        generator.shuffle(&order)
        return Array(order.prefix(count ?? order.count))
    }

    /// The problems at `subsetIndices(count:seed:)`, in that order.
    public func subset(count: Int?, seed: UInt64) -> [MathProblem] {
        subsetIndices(count: count, seed: seed).map { problems[$0] }
    }
}
