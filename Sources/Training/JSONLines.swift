import Foundation

/// A line of a data file that could not be used; line 0 means the file as a whole.
public struct DataFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let line: Int
    public let detail: String
    public var description: String { line > 0 ? "\(path):\(line): \(detail)" : "\(path): \(detail)" }
}

/// One JSON object of a JSONL file, with typed access to its fields; every failure names the file
/// and the line.
struct JSONLRecord {
    let path: String
    let line: Int
    let object: [String: Any]

    func fail(_ detail: String) -> DataFileError { DataFileError(path: path, line: line, detail: detail) }

    /// Token ids under `key`; nil when the field is absent.
    func ids(_ key: String) throws -> [Int32]? {
        guard let v = object[key] else { return nil }
        guard let a = v as? [Int], a.allSatisfy({ Int32(exactly: $0) != nil }) else { throw fail("'\(key)' must be an array of integers") }
        return a.map { Int32($0) }
    }

    /// The string under `key`; nil when the field is absent.
    func string(_ key: String) throws -> String? {
        guard let v = object[key] else { return nil }
        guard let s = v as? String else { throw fail("'\(key)' must be a string") }
        return s
    }

    /// Reads every non-blank line of `path` as a JSON object.
    static func read(_ path: String) throws -> [JSONLRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, line: 0, detail: "cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw DataFileError(path: path, line: 0, detail: "the file is not UTF-8 text") }
        var records: [JSONLRecord] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw DataFileError(path: path, line: i + 1, detail: "not a JSON object")
            }
            records.append(JSONLRecord(path: path, line: i + 1, object: object))
        }
        return records
    }
}
