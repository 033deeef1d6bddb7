import Foundation

/// The JSON Lines format of GSM8K (Cobbe et al., 2021, "Training Verifiers to Solve Math Word
/// Problems"; github.com/openai/grade-school-math): one JSON object per line with a string
/// `question` and a string `answer` whose worked solution ends in `#### <number>`.
///
/// Fields other than these two are ignored, so files with ids or metadata load as well. Blank
/// lines (white space only) are skipped, `\r\n` line ends and a UTF-8 byte-order mark are accepted.
public enum GSM8KFormat {
    /// The problems in `text`, in file order.
    ///
    /// - Parameters:
    ///   - text: the whole file.
    ///   - file: the name used in error messages.
    /// - Throws: `TaskDataError` naming `file` and the 1-based line of the first bad line:
    ///   `.malformedLine` (not a JSON object), `.invalidField` (`question` or `answer` missing or
    ///   not a string), `.missingFinalAnswer`, `.nonNumericFinalAnswer`; `.emptyDataset` when no line
    ///   holds a problem.
    public static func parse(_ text: String, file: String) throws -> [MathProblem] {
        var problems: [MathProblem] = []
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // Split on "\n" as Unicode scalars: as Characters, "\r\n" is one grapheme and would not match.
        let lines = body.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, scalars) in lines.enumerated() {
            let line = Substring(scalars)
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            problems.append(try problem(in: line, file: file, line: offset + 1))
        }
        guard !problems.isEmpty else { throw TaskDataError.emptyDataset(file: file) }
        return problems
    }

    /// The problem on one non-blank line.
    static func problem(in text: Substring, file: String, line: Int) throws -> MathProblem {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            let shown = TaskDataError.quoted(text.trimmingCharacters(in: .whitespaces))
            throw TaskDataError.malformedLine(file: file, line: line, expected: "a JSON object",
                                              found: "text that is not JSON: \(shown)")
        }
        guard let fields = object as? [String: Any] else {
            throw TaskDataError.malformedLine(file: file, line: line, expected: "a JSON object",
                                              found: describe(object))
        }
        let question = try string(fields, "question", file: file, line: line)
        let answer = try string(fields, "answer", file: file, line: line)
        return try MathProblem(question: question, gsm8kAnswer: answer, file: file, line: line)
    }

    private static func string(_ fields: [String: Any], _ name: String, file: String, line: Int) throws -> String {
        guard let value = fields[name] else {
            throw TaskDataError.invalidField(file: file, line: line, field: name, expected: "a string",
                                             found: "no such field")
        }
        guard let text = value as? String else {
            throw TaskDataError.invalidField(file: file, line: line, field: name, expected: "a string",
                                             found: describe(value))
        }
        return text
    }

    /// A JSON value as it would be written, shortened: what a message shows as "found".
    private static func describe(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if value is [Any] { return "an array" }
        if value is [String: Any] { return "an object" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) {
            let written = String(decoding: data, as: UTF8.self)
            return written.count > 60 ? String(written.prefix(60)) + "…" : written
        }
        return "a \(type(of: value))"
    }
}
