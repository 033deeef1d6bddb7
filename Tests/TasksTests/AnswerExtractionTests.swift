import Foundation
import Testing
import Tasks

/// Hand-written completions and the answer each must give. `nil` means no answer.
private let table: [(completion: String, value: String?, source: ExtractedAnswer.Source?)] = [
    // Explicit final answers.
    ("The answer is 42.", "42", .answerStatement),
    ("ANSWER IS 9", "9", .answerStatement),
    ("The final answer is 64. I hope it is correct.", "64", .answerStatement),
    ("**Answer:** 36", "36", .answerStatement),
    ("**Answer**: 36 apples", "36", .answerStatement),
    ("Answer = -$4.25", "-4.25", .answerStatement),
    ("The answer is: 1000 apples", "1000", .answerStatement),
    ("#### 1,234,567", "1234567", .hashMarker),
    ("So the total is $\\boxed{72}$ dollars.", "72", .boxed),
    ("\\boxed{1{,}250}", "1250", .boxed),
    ("\\boxed{\\$18 \\text{ per day}}", "18", .boxed),
    // Intermediate numbers and dates before the final answer.
    ("Janet has 16 eggs. She eats 3 and bakes with 4, so 16 - 3 - 4 = 9 are left. "
        + "She sells them for $2 each: 9 * 2 = $18.\nThe answer is 18.", "18", .answerStatement),
    ("On 3/4/2021 she bought 12 apples and 5 pears.\nThe answer is 17.", "17", .answerStatement),
    ("In 2019 the shop sold 250 bikes and in 2020 it sold 300. The answer is 550.", "550", .answerStatement),
    ("On 3/4/2021 she had 7 apples.", "7", .lastNumber),
    // Currency, separators, decimals, signs.
    ("The answer is $1,250.50.", "1250.5", .answerStatement),
    ("The total is £1,000.", "1000", .lastNumber),
    ("Each costs €3.50, so 4 of them cost €14.", "14", .lastNumber),
    ("The temperature drops from 5 to -3 degrees. The answer is -8.", "-8", .answerStatement),
    ("The answer is −7.", "-7", .answerStatement),
    ("The answer is -3.0", "-3", .answerStatement),
    ("The answer is 0.", "0", .answerStatement),
    ("The answer is 2.5 hours, which is 150 minutes.", "2.5", .answerStatement),
    // An answer followed by its explanation.
    ("The answer is 7, because 3 + 4 = 7 and she gave none away.", "7", .answerStatement),
    ("The answer is 12. She bought 3 boxes of 4 pens each.", "12", .answerStatement),
    // An answer written as an equation: the value after the last "=".
    ("The answer is 48 + 24 = 72.", "72", .answerStatement),
    ("The answer is 12 * 3 = $36.", "36", .answerStatement),
    // Several explicit answers: the last one.
    ("The answer is 5. Wait, 6 + 4 = 10, so I was wrong. The answer is 10.", "10", .answerStatement),
    ("#### 72\nThe answer is 72.", "72", .answerStatement),
    ("The answer is 8.\n\\boxed{9}", "9", .boxed),
    // An explicit marker without a number falls back to the last number.
    ("The answer is unclear.\nShe has 8 apples and 2 pears.", "2", .lastNumber),
    ("\\boxed{}\nShe has 8 apples.", "8", .lastNumber),
    // No marker: the last number, with trailing periods, units, percent signs and markdown.
    ("She has 12.", "12", .lastNumber),
    ("She earns 18 dollars.", "18", .lastNumber),
    ("The distance is 5km.", "5", .lastNumber),
    ("The discount is 25%.", "25", .lastNumber),
    ("He pays **42** in total.", "42", .lastNumber),
    ("Total: 2.50 + 2.50 = 5.00", "5", .lastNumber),
    ("He answered 5 questions.", "5", .lastNumber),
    ("The school closed for COVID-19", "19", .lastNumber),
    ("It takes 10-15 minutes", "15", .lastNumber),
    ("Pick from 1,2 or 3", "3", .lastNumber),
    ("12.5", "12.5", .lastNumber),
    // Fractions: exact when the decimal expansion terminates, no answer when it does not.
    ("The answer is 3/4.", "0.75", .answerStatement),
    ("The answer is 1/3.", nil, nil),
    ("She ate 6/3 of a cake.", "2", .lastNumber),
    // Nothing that is a number.
    ("I cannot solve this problem.", nil, nil),
    (".", nil, nil),
    ("- , . $ %", nil, nil),
    ("", nil, nil),
]

struct AnswerExtractionTests {
    @Test func handWrittenTable() {
        #expect(table.count >= 30)
        for (completion, value, source) in table {
            let got = AnswerExtraction.extract(from: completion)
            #expect(got?.value == value.flatMap { Decimal(string: $0) }, "\(completion.debugDescription)")
            #expect(got?.source == source, "\(completion.debugDescription)")
        }
    }

    /// Correctness compares values, not spellings.
    @Test func correctnessIsNumericEquality() {
        #expect(AnswerExtraction.isCorrect(completion: "The answer is 2.50.", expected: Decimal(string: "2.5")!))
        #expect(AnswerExtraction.isCorrect(completion: "The answer is 1,000.", expected: 1000))
        #expect(AnswerExtraction.isCorrect(completion: "The answer is -3.", expected: Decimal(string: "-3.0")!))
        #expect(AnswerExtraction.isCorrect(completion: "The answer is $18.00", expected: 18))
        #expect(!AnswerExtraction.isCorrect(completion: "The answer is 17.", expected: 18))
        #expect(!AnswerExtraction.isCorrect(completion: "no idea", expected: 0))
        #expect(AnswerExtraction.extractAnswer(from: "The answer is 3/4") == Decimal(string: "0.75"))
    }

    @Test func parseNumberAcceptsOneNumberAndNothingElse() {
        let accepted: [(String, String)] = [("42", "42"), (" 1,234 ", "1234"), ("-$5", "-5"), ("$-5", "-5"),
                                           ("$1,250.50", "1250.5"), ("+7", "7"), ("0.75", "0.75"), ("3/4", "0.75"),
                                           ("-0", "0"), ("007", "7")]
        for (text, value) in accepted { #expect(AnswerExtraction.parseNumber(text) == Decimal(string: value), "\(text)") }
        for text in ["", ".", "-", ",", "12.", "50%", "5 km", "1,2", "1 2", "twelve", "1/3", "3/4/2021", "$"] {
            #expect(AnswerExtraction.parseNumber(text) == nil, "\(text)")
        }
    }
}
