import Foundation
import Tokenization

/// Where the tests find the real Qwen2.5 GGUF files and the stored fixtures.
enum ModelFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// `$SPECGRPO_MODELS_DIR`, else `<package root>/models` (where scripts/fetch-models.sh puts them).
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["SPECGRPO_MODELS_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return packageRoot.appendingPathComponent("models")
    }()

    static func locate(_ name: String) -> String? {
        let path = directory.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return path }
        print("note: \(path) not found; tests on the real Qwen vocabulary are skipped (run scripts/fetch-models.sh or set SPECGRPO_MODELS_DIR)")
        return nil
    }

    static let qwen05 = locate("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    static let qwen15 = locate("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")

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
