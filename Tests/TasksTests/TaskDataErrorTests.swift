import Testing
@testable import Tasks

struct TaskDataErrorTests {
    @Test func messagesNameFileLineExpectationAndFinding() {
        #expect(TaskDataError.unreadableFile(file: "a.jsonl", reason: "no such file").description
                == "a.jsonl: cannot read math data: no such file")
        #expect(TaskDataError.malformedLine(file: "a.jsonl", line: 3, expected: "a JSON object", found: "an array").description
                == "a.jsonl:3: expected a JSON object, found an array")
        #expect(TaskDataError.invalidField(file: "a.jsonl", line: 7, field: "question", expected: "a string",
                                           found: "no such field").description
                == "a.jsonl:7: field \"question\" must be a string, found no such field")
        #expect(TaskDataError.missingFinalAnswer(file: "a.jsonl", line: 2, found: "\"so 42\"").description
                == "a.jsonl:2: field \"answer\" must end with \"#### <number>\", found no \"####\" in \"so 42\"")
        #expect(TaskDataError.nonNumericFinalAnswer(file: "a.jsonl", line: 5, found: "\"twelve\"").description
                == "a.jsonl:5: the final answer after \"####\" must be a number, found \"twelve\"")
        #expect(TaskDataError.emptyDataset(file: "a.jsonl").description == "a.jsonl: expected at least one problem, found none")
    }

    @Test func quotingShortensLongText() {
        #expect(TaskDataError.quoted("abc") == "\"abc\"")
        #expect(TaskDataError.quoted(String(repeating: "x", count: 70), limit: 5) == "\"xxxxx…\"")
    }
}
