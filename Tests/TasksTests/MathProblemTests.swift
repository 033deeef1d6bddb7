import Foundation
import Testing
import Tasks

struct MathProblemTests {
    /// GSM8K answers end in "#### N"; the ground truth is N's exact value. The first three are in
    /// the form of GSM8K's own train.jsonl (calculator annotations included).
    @Test func groundTruthOfGSM8KAnswers() throws {
        let cases: [(String, String)] = [
            ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips.\n#### 72", "72"),
            ("She earns 0.2 * 50 = $<<0.2*50=10>>10.\n#### 10", "10"),
            ("The total is 1,000 + 234 = <<1000+234=1234>>1234\n#### 1,234", "1234"),
            ("#### -5", "-5"),
            ("#### $12.50", "12.5"),
            ("#### -$3", "-3"),
            ("#### +4", "4"),
            ("#### 0.75", "0.75"),
            ("####   18  \n", "18"),
            ("a #### in the text\n#### 9", "9"),
        ]
        for (answer, value) in cases {
            #expect(try MathProblem.groundTruth(inGSM8KAnswer: answer) == Decimal(string: value)!, "\(answer)")
        }
    }

    @Test func groundTruthErrorsNameFileAndLine() {
        #expect(throws: TaskDataError.missingFinalAnswer(file: "t.jsonl", line: 4, found: "\"so she has 72 clips\"")) {
            try MathProblem.groundTruth(inGSM8KAnswer: "so she has 72 clips", file: "t.jsonl", line: 4)
        }
        let long = String(repeating: "a", count: 100) + " 72"
        #expect(throws: TaskDataError.missingFinalAnswer(file: "<memory>", line: 1, found: "\"…" + String(long.suffix(60)) + "\"")) {
            try MathProblem.groundTruth(inGSM8KAnswer: long)
        }
        for (tail, found) in [("twelve", "\"twelve\""), ("12 apples", "\"12 apples\""), ("50%", "\"50%\""),
                              ("12.", "\"12.\""), ("", "nothing"), ("1/3", "\"1/3\"")] {
            #expect(throws: TaskDataError.nonNumericFinalAnswer(file: "t.jsonl", line: 2, found: found)) {
                try MathProblem.groundTruth(inGSM8KAnswer: "work\n#### " + tail, file: "t.jsonl", line: 2)
            }
        }
    }

    @Test func problemKeepsItsTextAndSplitsTheSolution() throws {
        let p = try MathProblem(question: "Q?", gsm8kAnswer: "2 + 2 = 4\n#### 4")
        #expect(p.question == "Q?")
        #expect(p.answer == "2 + 2 = 4\n#### 4")
        #expect(p.finalAnswer == 4)
        #expect(p.solution == "2 + 2 = 4")
        #expect(MathProblem(question: "Q", answer: "no marker", finalAnswer: 1).solution == "no marker")
        // Ground truths are stored without trailing zeros (1E+3); they must still hash like 1000.
        let parsed = try MathProblem(question: "Q?", gsm8kAnswer: "#### 1,000")
        #expect(Set([parsed, MathProblem(question: "Q?", answer: "#### 1,000", finalAnswer: 1000)]).count == 1)
    }
}
