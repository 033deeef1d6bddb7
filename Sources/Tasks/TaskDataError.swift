/// A math data file the loader cannot use. Every case names the file and, where one line is at
/// fault, its 1-based line number, then what was expected and what was found, so that the message
/// alone says where to look and what to fix.
public enum TaskDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read, or is not UTF-8 text.
    case unreadableFile(file: String, reason: String)
    /// A non-blank line is not a JSON object; `found` is the start of the line or the parser's
    /// complaint.
    case malformedLine(file: String, line: Int, expected: String, found: String)
    /// A required field is missing or has the wrong type.
    case invalidField(file: String, line: Int, field: String, expected: String, found: String)
    /// The `answer` text has no `####` marker before the final answer.
    case missingFinalAnswer(file: String, line: Int, found: String)
    /// The text after `####` is not a number.
    case nonNumericFinalAnswer(file: String, line: Int, found: String)
    /// The file holds no problems (it is empty or all its lines are blank).
    case emptyDataset(file: String)

    public var description: String {
        switch self {
        case let .unreadableFile(file, reason):
            return "\(file): cannot read math data: \(reason)"
        case let .malformedLine(file, line, expected, found):
            return "\(file):\(line): expected \(expected), found \(found)"
        case let .invalidField(file, line, field, expected, found):
            return "\(file):\(line): field \"\(field)\" must be \(expected), found \(found)"
        case let .missingFinalAnswer(file, line, found):
            return "\(file):\(line): field \"answer\" must end with \"#### <number>\", found no \"####\" in \(found)"
        case let .nonNumericFinalAnswer(file, line, found):
            return "\(file):\(line): the final answer after \"####\" must be a number, found \(found)"
        case let .emptyDataset(file):
            return "\(file): expected at least one problem, found none"
        }
    }

    /// `text` quoted for a message, shortened to its first `limit` characters.
    static func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
        let head = text.prefix(limit)
        return "\"\(head)\(head.count < text.count ? "…" : "")\""
    }
}
