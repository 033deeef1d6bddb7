import Foundation

/// Writes small GGUF v3 files with metadata only (no tensors), for tests of malformed tokenizer
/// metadata. Value type codes as in ggml's docs/gguf.md.
struct GGUFBuilder {
    enum Value {
        case string(String), strings([String]), int32s([Int32]), uint32(UInt32), bool(Bool)
    }

    var entries: [(String, Value)] = []

    mutating func set(_ key: String, _ value: Value) {
        entries.removeAll { $0.0 == key }
        entries.append((key, value))
    }

    mutating func remove(_ key: String) { entries.removeAll { $0.0 == key } }

    /// The tiny vocabulary as a Qwen2-style GGUF tokenizer.
    static func tiny() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.set("general.architecture", .string("qwen2"))
        b.set("tokenizer.ggml.model", .string("gpt2"))
        b.set("tokenizer.ggml.pre", .string("qwen2"))
        b.set("tokenizer.ggml.tokens", .strings(TinyVocabulary.tokens))
        b.set("tokenizer.ggml.token_type", .int32s(TinyVocabulary.kinds.map { Int32($0.rawValue) }))
        b.set("tokenizer.ggml.merges", .strings(TinyVocabulary.merges.map { "\($0.0) \($0.1)" }))
        b.set("tokenizer.ggml.eos_token_id", .uint32(UInt32(TinyVocabulary.id("<|im_end|>"))))
        b.set("tokenizer.ggml.add_bos_token", .bool(false))
        return b
    }

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ x: UInt32) { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
        func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
        func str(_ s: String) { u64(UInt64(s.utf8.count)); out += s.utf8 }
        u32(0x4655_4747)
        u32(3)
        u64(0)
        u64(UInt64(entries.count))
        for (key, value) in entries {
            str(key)
            switch value {
            case .string(let s): u32(8); str(s)
            case .strings(let a): u32(9); u32(8); u64(UInt64(a.count)); a.forEach(str)
            case .int32s(let a): u32(9); u32(5); u64(UInt64(a.count)); a.forEach { u32(UInt32(bitPattern: $0)) }
            case .uint32(let x): u32(4); u32(x)
            case .bool(let b): u32(7); out.append(b ? 1 : 0)
            }
        }
        return out
    }

    /// Writes the file to a fresh temporary path and returns it.
    func write(name: String = "tokenizer-test") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).gguf")
        try Data(bytes()).write(to: url)
        return url.path
    }
}
