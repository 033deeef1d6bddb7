import Foundation
import TestSupport
import Tokenization

/// The real Qwen2.5 GGUF files (located by TestSupport) and the stored fixtures.
enum ModelFiles {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let qwen05 = RealModels.path(RealModels.draftFile)
    static let qwen15 = RealModels.path(RealModels.targetFile)

    /// A Qwen2.5 tokenizer.json, written by scripts/fixtures/export_tokenizer_json.py (6 MB, not
    /// committed) and named by `$SPECGRPO_QWEN_TOKENIZER_JSON`.
    static let qwenTokenizerJSON: String? = {
        guard let path = ProcessInfo.processInfo.environment["SPECGRPO_QWEN_TOKENIZER_JSON"], !path.isEmpty else {
            print("note: SPECGRPO_QWEN_TOKENIZER_JSON is not set; the test of a full-size Qwen tokenizer.json is skipped (see scripts/fixtures/export_tokenizer_json.py)")
            return nil
        }
        return path
    }()

    /// The 0.5B model's tokenizer, loaded once for every test that needs it.
    static let qwenTokenizer: Tokenizer? = qwen05.flatMap { try? Tokenizer(ggufPath: $0) }
}

/// Fixtures/llama-cpp-tokens.json: texts and llama.cpp's ids for them on the Qwen2.5 vocabulary.
/// Regenerate with scripts/fixtures/make_tokenizer_fixture.py (see its docstring).
struct LlamaCppFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let text: String
        let ids: [Int32]
    }

    let llama_cpp_version: String
    let cases: [Case]

    static let shared: LlamaCppFixture = {
        let url = ModelFiles.fixtures.appendingPathComponent("llama-cpp-tokens.json")
        do {
            return try JSONDecoder().decode(LlamaCppFixture.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("cannot read \(url.path): \(error)")
        }
    }()

    func text(_ name: String) -> Case {
        guard let c = cases.first(where: { $0.name == name }) else { preconditionFailure("no fixture case '\(name)'") }
        return c
    }
}
