import TestSupport
import Tokenization

/// A hand-made byte-level BPE vocabulary small enough to reason about: the 256 byte entries in
/// GPT-2's order (ids 0…255), ten merged entries, six special entries and one padding entry.
/// Fixtures/tiny-tokenizer/tokenizer.json describes the same tokenizer in Hugging Face's format.
enum TinyVocabulary {
    /// Bytes in the order GPT-2 numbers them: printable ones first, then the rest.
    static let byteOrder: [UInt8] = {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        return (printable + (0...255).filter { !printable.contains($0) }).map(UInt8.init)
    }()

    static let merged = ["ll", "he", "hell", "hello", "Ġw", "or", "Ġwor", "ld", "el", "aa"]
    static let merges: [(String, String)] = [("l", "l"), ("h", "e"), ("he", "ll"), ("hell", "o"), ("Ġ", "w"),
                                              ("o", "r"), ("Ġw", "or"), ("l", "d"), ("e", "l"), ("a", "a")]
    static let specials: [(String, TokenKind)] = [("<|end|>", .control), ("<|x|>", .control), ("<|x|>!", .control),
                                                  ("<tool>", .userDefined), ("<|im_start|>", .control), ("<|im_end|>", .control)]

    static var tokens: [String] {
        byteOrder.map { String(ByteLevelAlphabet.character[Int($0)]) } + merged + specials.map(\.0) + ["[PAD272]"]
    }

    static var kinds: [TokenKind] {
        [TokenKind](repeating: .normal, count: 256 + merged.count) + specials.map(\.1) + [.unused]
    }

    static func id(_ token: String) -> Int32 { Int32(tokens.firstIndex(of: token)!) }

    /// Id of the single-byte entry for an ASCII character.
    static func byte(_ c: Character) -> Int32 { Int32(byteOrder.firstIndex(of: c.asciiValue!)!) }

    static func tokenizer(normalizesToNFC: Bool = false, chatTemplate: ChatTemplate? = nil) throws -> Tokenizer {
        try Tokenizer(tokens: tokens, kinds: kinds, merges: merges, eosTokenId: id("<|im_end|>"),
                      chatTemplate: chatTemplate, normalizesToNFC: normalizesToNFC)
    }

    /// The tiny vocabulary as a Qwen2-style GGUF tokenizer (metadata only), for tests of
    /// malformed tokenizer metadata.
    static func gguf() -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", .string("qwen2"))
        w.set("tokenizer.ggml.model", .string("gpt2"))
        w.set("tokenizer.ggml.pre", .string("qwen2"))
        w.set("tokenizer.ggml.tokens", .strings(tokens))
        w.set("tokenizer.ggml.token_type", .int32s(kinds.map { Int32($0.rawValue) }))
        w.set("tokenizer.ggml.merges", .strings(merges.map { "\($0.0) \($0.1)" }))
        w.set("tokenizer.ggml.eos_token_id", .uint32(UInt32(id("<|im_end|>"))))
        w.set("tokenizer.ggml.add_bos_token", .bool(false))
        return w
    }
}
