import Foundation

/// Locates the real GGUF models fetched by scripts/fetch-models.sh, for tests that need them.
/// They live in $SPECGRPO_MODELS_DIR or <package root>/models. A test that needs a missing model
/// is disabled with a printed note saying how to fetch it, never silently passed.
public enum RealModels {
    public static let draftFile = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    public static let targetFile = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    /// SmolLM2-135M (Llama architecture, Q4_1): `scripts/fetch-models.sh smollm`.
    public static let smolLMFile = "SmolLM2-135M-Instruct.Q4_1.gguf"

    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["SPECGRPO_MODELS_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("models")
    }

    /// Path of `file` if present; otherwise prints why the test is skipped and returns nil.
    public static func path(_ file: String) -> String? {
        let url = directory.appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        print("SKIPPED: \(file) not found in \(directory.path); run scripts/fetch-models.sh all")
        return nil
    }

    /// The 1.5B checks take minutes on two cores; CI runs them only when SPECGRPO_TEST_TARGET=1.
    public static var targetEnabled: Bool {
        if ProcessInfo.processInfo.environment["SPECGRPO_TEST_TARGET"] == "1" { return path(targetFile) != nil }
        print("SKIPPED: 1.5B target-model checks; set SPECGRPO_TEST_TARGET=1 to run them")
        return false
    }

    /// A fixture file next to the calling test file.
    public static func fixture(_ name: String, file: StaticString = #filePath) -> URL {
        URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
    }
}
