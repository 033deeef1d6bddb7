import Foundation

/// One supervised example: the loss is taken on the completion tokens only.
public struct SFTExample: Sendable, Equatable {
    public var prompt: [Int32]
    public var completion: [Int32]

    public init(prompt: [Int32], completion: [Int32]) {
        self.prompt = prompt
        self.completion = completion
    }
}

/// A JSONL line that could not be used.
public struct SFTDataError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let detail: String
    public var description: String { "\(path):\(line): \(detail)" }
}

public enum SFTData {
    /// Reads prompt/completion pairs, one JSON object per line: either token ids
    /// (`{"prompt_ids": [..], "completion_ids": [..]}`) or text (`{"prompt": "..", "completion": ".."}`,
    /// encoded with `encode`). Blank lines are skipped.
    public static func load(path: String, encode: ((String) throws -> [Int32])?) throws -> [SFTExample] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SFTDataError(path: path, line: 0, detail: "cannot read the file as UTF-8")
        }
        var out: [SFTExample] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let n = i + 1
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw SFTDataError(path: path, line: n, detail: "not a JSON object")
            }
            func ids(_ key: String) throws -> [Int32]? {
                guard let v = obj[key] else { return nil }
                guard let a = v as? [Int] else { throw SFTDataError(path: path, line: n, detail: "'\(key)' must be an array of integers") }
                return a.map { Int32(truncatingIfNeeded: $0) }
            }
            func text(_ key: String) throws -> [Int32]? {
                guard let v = obj[key] else { return nil }
                guard let s = v as? String else { throw SFTDataError(path: path, line: n, detail: "'\(key)' must be a string") }
                guard let encode else { throw SFTDataError(path: path, line: n, detail: "text fields need a tokenizer; give token ids instead") }
                return try encode(s)
            }
            guard let prompt = try ids("prompt_ids") ?? text("prompt"), let completion = try ids("completion_ids") ?? text("completion") else {
                throw SFTDataError(path: path, line: n, detail: "expected 'prompt' and 'completion' (or 'prompt_ids' and 'completion_ids')")
            }
            guard !prompt.isEmpty, !completion.isEmpty else { throw SFTDataError(path: path, line: n, detail: "prompt and completion must not be empty") }
            out.append(SFTExample(prompt: prompt, completion: completion))
        }
        guard !out.isEmpty else { throw SFTDataError(path: path, line: 0, detail: "no examples") }
        return out
    }
}
