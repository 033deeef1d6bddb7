import Foundation
import Testing

/// The built `specgrpo` command, for tests that need a separate process (a SIGKILL cannot be
/// aimed at the test process itself). SwiftPM puts executables and the test binary in the same
/// folder (`.build/<triple>/<config>/`), so the one beside the running test binary comes from the
/// same build; `SPECGRPO_EXECUTABLE` overrides. `nil` when none is built (`swift build
/// --build-tests` builds it; a bare `swift test` may not), and tests using it are then skipped
/// with a message.
enum SpecGRPOExecutable {
    static let path: String? = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["SPECGRPO_EXECUTABLE"] { candidates.append(env) }
        // /proc/self/exe is the test binary itself on Linux; Bundle.main covers other layouts.
        if let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((me as NSString).deletingLastPathComponent + "/specgrpo")
        }
        if let me = Bundle.main.executablePath {
            candidates.append((me as NSString).deletingLastPathComponent + "/specgrpo")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let skipMessage: Comment = "needs the specgrpo executable beside the test binary: run `swift build --build-tests` (or set SPECGRPO_EXECUTABLE)"
}
