/// The prompts of a GRPO run.
public enum PromptFile {
    /// Reads prompts, one JSON object per line: `{"prompt": TEXT}` (turned into token ids by
    /// `encode`, e.g. through the chat template) or `{"prompt_ids": [..]}`. Blank lines are skipped.
    /// - Throws: `DataFileError` naming the file and line of a malformed or empty prompt, or an
    ///   empty file.
    public static func load(path: String, encode: ((String) throws -> [Int32])?) throws -> [[Int32]] {
        var prompts: [[Int32]] = []
        for record in try JSONLRecord.read(path) {
            var ids = try record.ids("prompt_ids")
            if ids == nil, let text = try record.string("prompt") {
                guard let encode else { throw record.fail("text prompts need a tokenizer; give 'prompt_ids' instead") }
                ids = try encode(text)
            }
            guard let prompt = ids else { throw record.fail("expected 'prompt' (text) or 'prompt_ids' (token ids)") }
            guard !prompt.isEmpty else { throw record.fail("the prompt is empty") }
            prompts.append(prompt)
        }
        guard !prompts.isEmpty else { throw DataFileError(path: path, line: 0, detail: "no prompts") }
        return prompts
    }
}
