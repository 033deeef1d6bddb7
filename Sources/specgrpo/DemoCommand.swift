import Foundation

/// `specgrpo demo`: five prompts through the target with the draft, reported per request (the
/// original project's demo, on this engine).
enum DemoCommand {
    static let help = """
    USAGE: specgrpo demo [--model PATH] [--draft PATH] [--max-tokens N] [--json]

    Runs five chat prompts through the target model with speculative decoding by the draft model
    (k = 5, greedy) and prints each request's accept rate and the start of its output. The models
    default to Qwen2.5-Coder 1.5B (target) and 0.5B (draft) in $SPECGRPO_MODELS_DIR or ./models
    (scripts/fetch-models.sh all fetches them).
    """

    static let prompts = [
        "What is 12 * 13? Answer briefly.",
        "Write a Python function that checks whether a number is prime.",
        "List the planets of the solar system in order.",
        "Tom has 5 boxes with 8 pencils each and gives away 12 pencils. How many are left?",
        "Explain recursion to a beginner in two sentences.",
    ]

    static func run(_ argv: [String]) throws {
        if argv.contains("--help") {
            print(help)
            return
        }
        let args = try Arguments(argv, options: ["model", "draft", "max-tokens"], flags: ["json"])
        let dir = ProcessInfo.processInfo.environment["SPECGRPO_MODELS_DIR"] ?? "models"
        let target = args.string("model") ?? "\(dir)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
        let draft = args.string("draft") ?? "\(dir)/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        for path in [target, draft] where !FileManager.default.fileExists(atPath: path) {
            throw Arguments.Failure(description: "\(path) not found; run scripts/fetch-models.sh all or pass --model/--draft")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("specgrpo-demo-\(getpid()).txt")
        try prompts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var engineArgv = ["--model", target, "--draft", draft, "--num-speculative-tokens", "5", "--prompts-file", file.path,
                          "--max-tokens", args.string("max-tokens") ?? "64"]
        if args.flag("json") { engineArgv.append("--json") }
        try GenerateCommand.run(engineArgv)
    }
}
