import ModelFormats

/// What a vocabulary entry is, with the codes of GGUF's `tokenizer.ggml.token_type`
/// (llama.cpp's `llama_token_type`).
public enum TokenKind: Int, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6

    /// Entries whose text is matched literally in input text and rendered literally on output
    /// (`<|im_start|>`, `<tool_call>`), instead of going through the byte-level alphabet.
    public var isSpecial: Bool { self == .control || self == .userDefined }
}

/// The token table: for each id its stored text, its kind and the bytes it stands for, and a
/// hash index from bytes back to ids. Bytes are kept in one flat buffer so that decoding is a
/// copy per token and the index needs no per-entry allocation.
public struct Vocabulary: Sendable {
    /// Text of every entry as the file stores it (byte-level form for normal tokens).
    public let texts: [String]
    public let kinds: [TokenKind]
    /// Bytes of token `i` are `bytes[offsets[i]..<offsets[i + 1]]`.
    private let bytes: [UInt8]
    private let offsets: [Int32]
    /// Open-addressing hash index from bytes to id; -1 marks an empty slot.
    private let slots: [Int32]
    private let slotMask: Int

    public var count: Int { texts.count }

    /// - Throws: `ModelFileError.invalidTokenizer` when a normal token contains a character
    ///   outside the byte-level alphabet, naming `path` and the token.
    init(texts: [String], kinds: [TokenKind], path: String) throws {
        precondition(texts.count == kinds.count)
        precondition(texts.count < Int(Int32.max))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(texts.count * 8)
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(texts.count + 1)
        for (id, text) in texts.enumerated() {
            switch kinds[id] {
            case .normal, .undefined:
                for s in text.unicodeScalars {
                    guard let b = ByteLevelAlphabet.byte(for: s) else {
                        throw ModelFileError(.invalidTokenizer, path: path,
                                             "token \(id) '\(text)' contains U+\(String(s.value, radix: 16, uppercase: true)), which is not a byte-level BPE character")
                    }
                    bytes.append(b)
                }
            case .control, .userDefined, .unknown, .byte:
                bytes.append(contentsOf: text.utf8)
            case .unused:
                break // padding entries ("[PAD151665]") stand for no text
            }
            offsets.append(Int32(bytes.count))
        }

        // Load factor at most 1/2. Normal tokens are indexed first so that they win when a
        // special token spells the same bytes.
        var capacity = 16
        while capacity < 2 * texts.count { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { all in
            for pass in 0..<2 {
                for id in 0..<texts.count where (kinds[id] == .normal || kinds[id] == .undefined) == (pass == 0) {
                    let start = Int(offsets[id]), end = Int(offsets[id + 1])
                    guard end > start else { continue }
                    let key = UnsafeBufferPointer(rebasing: all[start..<end])
                    var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
                    var duplicate = false
                    while slots[slot] >= 0 {
                        let other = Int(slots[slot])
                        if UnsafeBufferPointer(rebasing: all[Int(offsets[other])..<Int(offsets[other + 1])]).elementsEqual(key) {
                            duplicate = true
                            break
                        }
                        slot = (slot + 1) & mask
                    }
                    if !duplicate { slots[slot] = Int32(id) }
                }
            }
        }
        self.texts = texts
        self.kinds = kinds
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
        self.slotMask = mask
    }

    /// The id whose bytes are exactly `key`, preferring normal tokens.
    func id(forBytes key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & slotMask
        return bytes.withUnsafeBufferPointer { all in
            while true {
                let id = Int(slots[slot])
                if id < 0 { return nil }
                let start = Int(offsets[id]), end = Int(offsets[id + 1])
                if end - start == key.count && UnsafeBufferPointer(rebasing: all[start..<end]).elementsEqual(key) {
                    return Int32(id)
                }
                slot = (slot + 1) & slotMask
            }
        }
    }

    func id(forBytes key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { id(forBytes: $0) }
    }

    /// The bytes token `id` stands for.
    public func bytes(of id: Int32) -> ArraySlice<UInt8> {
        bytes[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])]
    }

    /// Appends the bytes of token `id` to `out`.
    @inline(__always)
    func appendBytes(of id: Int32, to out: inout [UInt8]) {
        out.append(contentsOf: bytes[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])])
    }

    /// 64-bit FNV-1a: short keys, good spread, no allocation.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }
}
