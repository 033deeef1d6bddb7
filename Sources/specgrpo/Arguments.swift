/// A small command-line parser: `--name value` options, `--flag` switches and nothing else, so
/// that every accepted spelling is listed in the command's help.
struct Arguments {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private var options: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `argv` against the allowed option names (which take a value) and flag names.
    init(_ argv: [String], options allowedOptions: Set<String>, flags allowedFlags: Set<String>) throws {
        var i = 0
        while i < argv.count {
            let arg = argv[i]
            guard arg.hasPrefix("--") else { throw Failure(description: "unexpected argument '\(arg)'") }
            let name = String(arg.dropFirst(2))
            if allowedFlags.contains(name) {
                flags.insert(name)
            } else if allowedOptions.contains(name) {
                guard i + 1 < argv.count else { throw Failure(description: "option --\(name) needs a value") }
                options[name] = argv[i + 1]
                i += 1
            } else {
                throw Failure(description: "unknown option '\(arg)'")
            }
            i += 1
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func string(_ name: String) -> String? { options[name] }

    func required(_ name: String) throws -> String {
        guard let v = options[name] else { throw Failure(description: "missing required option --\(name)") }
        return v
    }

    func double(_ name: String, default value: Double, range: ClosedRange<Double>) throws -> Double {
        guard let text = options[name] else { return value }
        guard let x = Double(text), range.contains(x) else {
            throw Failure(description: "--\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return x
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = options[name] else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw Failure(description: "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return n
    }
}
