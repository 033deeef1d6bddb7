import Foundation

/// A training run's folder: `config.json` (the resolved configuration), `metrics.jsonl` (one line
/// per optimizer step), checkpoints under `checkpoints/`, and whatever else the run writes with
/// `writeJSON`.
///
/// Nothing in it is ever half-written: `config.json` goes through a temporary file and a rename,
/// and each metrics line is one `write` of a complete line, made only after its step finished.
/// A step that throws writes nothing.
public struct RunDirectory {
    public let path: String
    public var checkpoints: String { path + "/checkpoints" }
    public var metricsFile: String { path + "/metrics.jsonl" }

    /// Creates the folder (if needed) and writes `config` as `config.json`.
    public init<Config: Encodable>(path: String, config: Config) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try writeJSON(config, to: "config.json")
    }

    /// Writes `value` as pretty-printed JSON to `name` inside the folder, through a temporary file
    /// and a rename: readers see the old or the new file, never a part.
    public func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Checkpoint.durableWrite(try encoder.encode(value), to: path + "/" + name)
    }

    /// Appends one JSON object line to `metrics.jsonl`. Non-finite values become null (JSON has no NaN).
    public func appendMetrics(_ values: [String: Double], step: Int, extra: [String: Any] = [:]) throws {
        var object: [String: Any] = extra
        object["step"] = step
        for (k, v) in values { object[k] = v.isFinite ? v : NSNull() }
        var line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        line.append(0x0A)
        try Self.append(line, to: metricsFile)
    }

    /// Appends `data` to `file` in one write (created when missing).
    public static func append(_ data: Data, to file: String) throws {
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }
}
