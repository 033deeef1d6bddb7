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

public enum SFTData {
    /// Reads prompt/completion pairs, one JSON object per line: either token ids
    /// (`{"prompt_ids": [..], "completion_ids": [..]}`) or text (`{"prompt": "..", "completion": ".."}`,
    /// encoded with `encode`). Blank lines are skipped.
    public static func load(path: String, encode: ((String) throws -> [Int32])?) throws -> [SFTExample] {
        var out: [SFTExample] = []
        for record in try JSONLRecord.read(path) {
            func text(_ key: String) throws -> [Int32]? {
                guard let s = try record.string(key) else { return nil }
                guard let encode else { throw record.fail("text fields need a tokenizer; give token ids instead") }
                return try encode(s)
            }
            guard let prompt = try record.ids("prompt_ids") ?? text("prompt"), let completion = try record.ids("completion_ids") ?? text("completion") else {
                throw record.fail("expected 'prompt' and 'completion' (or 'prompt_ids' and 'completion_ids')")
            }
            guard !prompt.isEmpty, !completion.isEmpty else { throw record.fail("prompt and completion must not be empty") }
            out.append(SFTExample(prompt: prompt, completion: completion))
        }
        guard !out.isEmpty else { throw DataFileError(path: path, line: 0, detail: "no examples") }
        return out
    }
}
