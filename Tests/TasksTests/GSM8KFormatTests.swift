import Foundation
import Testing
import Tasks

struct GSM8KFormatTests {
    @Test func parsesLinesSkippingBlanksAndExtraFields() throws {
        let text = "\u{FEFF}{\"question\": \"Q1\", \"answer\": \"1+1=2\\n#### 2\", \"id\": 7}\r\n"
            + "   \n\n"
            + "{\"answer\": \"#### 1,500\", \"question\": \"Q2\", \"meta\": {\"level\": 3}}\r\n"
        let problems = try GSM8KFormat.parse(text, file: "x.jsonl")
        #expect(problems.map(\.question) == ["Q1", "Q2"])
        #expect(problems.map(\.finalAnswer) == [2, 1500])
        #expect(problems[0].answer == "1+1=2\n#### 2")
    }

    /// Each error names the file and the 1-based line, blank lines counted.
    @Test func errorsNameFileAndLine() {
        let good = "{\"question\": \"Q\", \"answer\": \"#### 1\"}\n\n"
        let cases: [(String, TaskDataError)] = [
            ("{\"question\": \"Q\", \"answer\": ", .malformedLine(file: "b.jsonl", line: 3, expected: "a JSON object",
                                                              found: #"text that is not JSON: "{"question": "Q", "answer":""#)),
            ("[1, 2]", .malformedLine(file: "b.jsonl", line: 3, expected: "a JSON object", found: "an array")),
            ("\"just a string\"", .malformedLine(file: "b.jsonl", line: 3, expected: "a JSON object", found: "\"just a string\"")),
            ("{\"answer\": \"#### 1\"}", .invalidField(file: "b.jsonl", line: 3, field: "question", expected: "a string", found: "no such field")),
            ("{\"question\": 5, \"answer\": \"#### 1\"}", .invalidField(file: "b.jsonl", line: 3, field: "question", expected: "a string", found: "5")),
            ("{\"question\": \"Q\", \"answer\": null}", .invalidField(file: "b.jsonl", line: 3, field: "answer", expected: "a string", found: "null")),
            ("{\"question\": \"Q\", \"answer\": [\"#### 1\"]}", .invalidField(file: "b.jsonl", line: 3, field: "answer", expected: "a string", found: "an array")),
            ("{\"question\": \"Q\", \"answer\": \"so 4\"}", .missingFinalAnswer(file: "b.jsonl", line: 3, found: "\"so 4\"")),
            ("{\"question\": \"Q\", \"answer\": \"#### four\"}", .nonNumericFinalAnswer(file: "b.jsonl", line: 3, found: "\"four\"")),
        ]
        for (bad, error) in cases {
            #expect(throws: error) { try GSM8KFormat.parse(good + bad + "\n" + good, file: "b.jsonl") }
        }
    }

    @Test func emptyFilesAreErrors() {
        for text in ["", "\n", "  \n\t\n"] {
            #expect(throws: TaskDataError.emptyDataset(file: "e.jsonl")) { try GSM8KFormat.parse(text, file: "e.jsonl") }
        }
    }
}
