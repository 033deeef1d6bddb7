import Foundation
import Testing
import Training

/// Prompt files: token ids and text, and a typed error naming the file and line for each bad input.
struct PromptFileTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString).jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func idsAndTextPrompts() throws {
        let path = try Self.write("{\"prompt_ids\": [1, 2, 3]}\n\n{\"prompt\": \"ab\", \"extra\": 1}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let prompts = try PromptFile.load(path: path) { text in text.unicodeScalars.map { Int32($0.value) } }
        #expect(prompts == [[1, 2, 3], [97, 98]])
    }

    static let bad: [(String, Int, String)] = [
        ("{\"prompt_ids\": [1]}\n{not json\n", 2, "not a JSON object"),
        ("{\"prompt_ids\": [1]}\n{\"question\": \"x\"}\n", 2, "expected 'prompt'"),
        ("{\"prompt_ids\": []}\n", 1, "the prompt is empty"),
        ("{\"prompt_ids\": [1, \"a\"]}\n", 1, "must be an array of integers"),
        ("{\"prompt_ids\": [99999999999]}\n", 1, "must be an array of integers"),
        ("{\"prompt\": 5}\n", 1, "must be a string"),
        ("{\"prompt\": \"text\"}\n", 1, "need a tokenizer"),
        ("\n\n", 0, "no prompts"),
    ]

    @Test(arguments: bad)
    func badLinesNameTheFileAndLine(_ text: String, _ line: Int, _ detail: String) throws {
        let path = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try PromptFile.load(path: path, encode: nil)
            Issue.record("expected an error for \(text.debugDescription)")
        } catch let e as DataFileError {
            #expect(e.path == path && e.line == line)
            #expect(e.description.contains(detail), "\(e)")
        }
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: DataFileError.self) { try PromptFile.load(path: "/nonexistent/prompts.jsonl", encode: nil) }
    }
}
