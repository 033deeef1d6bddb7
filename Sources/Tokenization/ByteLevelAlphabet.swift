/// The reversible byte ↔ character map of byte-level BPE (introduced with GPT-2, used by Qwen2
/// and Llama 3 vocabularies). Vocabulary files store each token as a string in which every
/// character stands for one byte: the printable bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand for
/// themselves, and the remaining 68 bytes (controls, space, DEL, NBSP, soft hyphen), in
/// increasing order, are given the characters U+0100, U+0101, …, so that no token string
/// contains whitespace or control characters. A space therefore appears as `Ġ` (U+0120) and a
/// newline as `Ċ` (U+010A).
public enum ByteLevelAlphabet {
    /// `character[b]` is the scalar that stands for byte `b`.
    public static let character: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if standsForItself(UInt8(b)) {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `character`, indexed by scalar value; -1 where the scalar is not in the
    /// alphabet. Every alphabet scalar is below U+0144, so a flat table covers it.
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, c) in character.enumerated() { table[Int(c.value)] = Int16(b) }
        return table
    }()

    /// The byte that `scalar` stands for, or nil when `scalar` is not a byte-level character.
    @inline(__always)
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < byteOfScalar.count else { return nil }
        let b = byteOfScalar[v]
        return b < 0 ? nil : UInt8(b)
    }

    /// The bytes a byte-level token string stands for, or nil when it contains a character
    /// outside the alphabet.
    public static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for s in token.unicodeScalars {
            guard let b = byte(for: s) else { return nil }
            out.append(b)
        }
        return out
    }

    /// The byte-level string for raw bytes (the inverse of `bytes(of:)`).
    public static func string(of bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(character[Int(b)]) }
        return String(s)
    }

    private static func standsForItself(_ b: UInt8) -> Bool {
        (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
    }
}
