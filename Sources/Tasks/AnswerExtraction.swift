import Foundation

/// The final answer read from a model's completion, and the rule that found it.
public struct ExtractedAnswer: Sendable, Equatable {
    /// Which part of the completion the value came from.
    public enum Source: String, Sendable, Equatable {
        /// "The answer is N", "The final answer is N", "Answer: N" (any case).
        case answerStatement
        /// "#### N", GSM8K's own marker.
        case hashMarker
        /// LaTeX `\boxed{N}`.
        case boxed
        /// No explicit answer: the last number in the text.
        case lastNumber
    }

    /// The answer's exact numeric value.
    public var value: Decimal
    /// The rule that produced it.
    public var source: Source

    public init(value: Decimal, source: Source) {
        self.value = value
        self.source = source
    }
}

/// Reads the final numeric answer of a grade-school math completion and scores it.
///
/// Rules, in order:
/// 1. An explicit answer wins over any other number. The explicit forms are "answer is N" (which
///    covers "The answer is", "The final answer is"), "answer: N" or "answer = N" (also with
///    markdown, "**Answer:** N"), "#### N" and `\boxed{N}`. When several appear, the last one that
///    holds a number is taken, since models restate and correct themselves.
/// 2. Otherwise, the last number in the text.
///
/// Where an explicit answer looks for its number: after "answer is/:" the first number in the same
/// sentence (up to `.`, `!` or `?` followed by a space, or a line break); after "####" the first on
/// the same line; inside `\boxed{…}` the first within the braces. If that number starts an equation
/// ("The answer is 48 + 24 = 72."), the value after the last `=` is taken instead. A sentence such
/// as "The answer is the total, 5 + 3 = 8" still reads 5 + 3 = 8 → 8, but "The answer is 5 because
/// 2 + 3 = 5" reads 5 only because the first number is 5: words after the number end the equation.
///
/// What counts as a number — signs, currency, thousands separators, decimals, fractions, dates — is
/// `NumberScanner`'s grammar. When the chosen number has no exact value (1/3) the extraction is
/// nil. Values compare exactly: 2.50 == 2.5, 1,000 == 1000, -3 == -3.0, 3/4 == 0.75.
public enum AnswerExtraction {
    /// The final answer in `completion`, or nil when it holds no usable number.
    public static func extract(from completion: String) -> ExtractedAnswer? {
        let s = Array(completion.unicodeScalars)
        let tokens = NumberScanner.tokens(in: s)
        guard !tokens.isEmpty else { return nil }
        var explicit: (token: Int, source: ExtractedAnswer.Source)?
        for (marker, source) in markers(in: s) {
            if let token = answerToken(in: marker, tokens: tokens, text: s) { explicit = (token, source) }
        }
        let chosen = explicit ?? (tokens.count - 1, .lastNumber)
        guard let value = tokens[chosen.token].value else { return nil }
        return ExtractedAnswer(value: value, source: chosen.source)
    }

    /// The final answer's value in `completion`; see `extract(from:)`.
    public static func extractAnswer(from completion: String) -> Decimal? {
        extract(from: completion)?.value
    }

    /// Whether `completion`'s final answer equals `expected` as a number.
    public static func isCorrect(completion: String, expected: Decimal) -> Bool {
        extractAnswer(from: completion) == expected
    }

    /// `text` as one number and nothing else (surrounding whitespace aside), in the grammar of
    /// `NumberScanner`: "1,234", "-$5", "$1,250.50", "+7", "0.75", "3/4". Nil for anything else:
    /// "12.", "50%", "5 km", "1,2", "".
    public static func parseNumber(_ text: String) -> Decimal? {
        let s = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars)
        let tokens = NumberScanner.tokens(in: s)
        guard tokens.count == 1, tokens[0].range == 0..<s.count else { return nil }
        return tokens[0].value
    }

    /// A span of text where an explicit answer's number must start (`start ..< end`), in the
    /// order the markers appear.
    private struct Region {
        var start: Int
        var end: Int
    }

    private static func markers(in s: [Unicode.Scalar]) -> [(Region, ExtractedAnswer.Source)] {
        var out: [(Region, ExtractedAnswer.Source)] = []
        var i = 0
        while i < s.count {
            if matches(s, at: i, "answer"), i == 0 || !s[i - 1].properties.isAlphabetic {
                var k = i + 6
                while k < s.count, s[k] == " " || s[k] == "*" || s[k] == "_" { k += 1 }
                var after: Int?
                if k < s.count, s[k] == ":" || s[k] == "=" {
                    after = k + 1
                } else if matches(s, at: k, "is"), k + 2 == s.count || !s[k + 2].properties.isAlphabetic {
                    after = k + 2
                }
                if let after {
                    let start = skipSpaces(s, from: after)
                    out.append((Region(start: start, end: sentenceEnd(s, from: start)), .answerStatement))
                }
            } else if matches(s, at: i, "####") {
                let start = skipSpaces(s, from: i + 4)
                let end = s[start...].firstIndex(of: "\n") ?? s.count
                out.append((Region(start: start, end: end), .hashMarker))
            } else if matches(s, at: i, "\\boxed{") {
                let start = i + 7
                var depth = 1, k = start
                while k < s.count {
                    if s[k] == "{" { depth += 1 }
                    if s[k] == "}" { depth -= 1; if depth == 0 { break } }
                    k += 1
                }
                out.append((Region(start: start, end: k), .boxed))
            }
            i += 1
        }
        return out
    }

    /// The index of the token an explicit answer gives: the first number in the region, or the
    /// result of the equation it starts.
    private static func answerToken(in region: Region, tokens: [NumberToken], text s: [Unicode.Scalar]) -> Int? {
        guard let first = tokens.firstIndex(where: { $0.range.lowerBound >= region.start }),
              tokens[first].range.lowerBound < region.end else { return nil }
        var result = first, current = first
        while current + 1 < tokens.count, tokens[current + 1].range.lowerBound < region.end {
            let gap = String(String.UnicodeScalarView(
                s[tokens[current].range.upperBound..<tokens[current + 1].range.lowerBound]
                    .filter { !$0.properties.isWhitespace && $0 != "$" && $0 != "€" && $0 != "£" }))
            if gap == "=" {
                result = current + 1
            } else if !operators.contains(gap) {
                break
            }
            current += 1
        }
        return result
    }

    /// What may stand between two numbers of one equation, spaces and currency symbols removed.
    private static let operators: Set<String> = [
        "+", "-", "−", "*", "/", "×", "x", "÷", "·", "\\times", "\\cdot", "\\div",
    ]

    /// Whether `pattern` (ASCII, lower case) occurs at `i`, ignoring ASCII case.
    private static func matches(_ s: [Unicode.Scalar], at i: Int, _ pattern: String) -> Bool {
        var k = i
        for p in pattern.unicodeScalars {
            guard k < s.count else { return false }
            var c = s[k].value
            if c >= 0x41 && c <= 0x5A { c += 0x20 }
            guard c == p.value else { return false }
            k += 1
        }
        return true
    }

    private static func skipSpaces(_ s: [Unicode.Scalar], from i: Int) -> Int {
        var k = i
        while k < s.count, s[k].properties.isWhitespace { k += 1 }
        return k
    }

    /// The offset of the line break or sentence-ending `.`, `!`, `?` (followed by white space or the
    /// end) that closes the sentence starting at `i`; the end of the text when none does.
    private static func sentenceEnd(_ s: [Unicode.Scalar], from i: Int) -> Int {
        var k = i
        while k < s.count {
            if s[k] == "\n" { return k }
            if s[k] == "." || s[k] == "!" || s[k] == "?", k + 1 == s.count || s[k + 1].properties.isWhitespace {
                return k
            }
            k += 1
        }
        return s.count
    }
}
