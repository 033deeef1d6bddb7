/// Turns token ids into text one token at a time, as they are generated. A byte-level token may
/// end in the middle of a multi-byte UTF-8 character (an emoji is often two or three tokens), so
/// the bytes of an unfinished character are held back until the tokens that complete it arrive;
/// every returned string is whole characters, and the concatenation of everything returned
/// (including `finish()`) equals `tokenizer.decode` of all the ids.
public struct StreamingDecoder: Sendable {
    public let tokenizer: Tokenizer
    public let skipSpecialTokens: Bool
    /// Bytes not yet returned: at most the first three bytes of one character.
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Whether bytes of an unfinished character are being held back.
    public var hasPendingBytes: Bool { !pending.isEmpty }

    /// Adds token `id` and returns the text it completes (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &pending)
        let ready = pending.count - Self.unfinishedSuffixLength(pending)
        guard ready > 0 else { return "" }
        let text = String(decoding: pending[..<ready], as: UTF8.self)
        pending.removeFirst(ready)
        return text
    }

    /// Returns whatever is held back, an unfinished character as U+FFFD, and starts afresh.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the tail of `bytes` that is the start of a valid UTF-8 sequence still missing
    /// bytes; 0 when the tail is complete or can never become valid (it is then emitted and
    /// decodes to U+FFFD, exactly as it would inside the whole text, since a lead byte always
    /// starts a fresh sequence for the decoder). Lead-byte ranges and second-byte limits follow
    /// the Unicode Standard, table 3-7 (well-formed UTF-8 byte sequences).
    static func unfinishedSuffixLength(_ bytes: [UInt8]) -> Int {
        var lead = bytes.count - 1
        while lead >= 0 && bytes.count - lead <= 3 && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0 else { return 0 }
        let have = bytes.count - lead
        let b0 = bytes[lead]
        let need: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch b0 {
        case 0xC2...0xDF: need = 2
        case 0xE0: need = 3; secondRange = 0xA0...0xBF
        case 0xED: need = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: need = 3
        case 0xF0: need = 4; secondRange = 0x90...0xBF
        case 0xF4: need = 4; secondRange = 0x80...0x8F
        case 0xF1...0xF3: need = 4
        default: return 0 // ASCII, a stray continuation byte or a byte that never leads
        }
        guard have < need else { return 0 }
        if have >= 2 && !secondRange.contains(bytes[lead + 1]) { return 0 }
        return have
    }
}
