import Foundation

/// One line for a `DecodingError` that names the JSON field it happened at, for the messages of
/// `ModelFileError` (the standard description is multi-line and names Swift types).
extension DecodingError {
    var fieldDescription: String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the top level" : "'" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "required field \(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "field \(path(context.codingPath)) has the wrong type (expected \(Self.jsonName(of: type)))"
        case .valueNotFound(let type, let context):
            return "field \(path(context.codingPath)) is null (expected \(Self.jsonName(of: type)))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = context.underlyingError.map { ": \($0)" } ?? ""
                return "not valid JSON (\(context.debugDescription)\(underlying))"
            }
            return "field \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self || type == Int64.self || type == UInt64.self { return "an integer" }
        if type == Double.self || type == Float.self { return "a number" }
        if type == Bool.self { return "true or false" }
        let name = "\(type)"
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "a value of type \(name)"
    }
}
