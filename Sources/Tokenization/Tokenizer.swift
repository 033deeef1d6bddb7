import Foundation
import ModelFormats

/// A byte-level BPE tokenizer (the GPT-2 family: Qwen2, Qwen2.5, Llama 3), built from a GGUF
/// file's `tokenizer.ggml.*` metadata, from a Hugging Face `tokenizer.json`, or from tables in
/// memory. Encoding runs four stages: special tokens written in the text are cut out, the rest
/// is split into words by the pre-tokenizer, each word's bytes are merged by BPE, and a BOS id is
/// put in front when the model asks for one. Decoding concatenates the bytes of the tokens.
///
/// A `Tokenizer` is an immutable value apart from an internal word cache that is safe to share
/// between threads.
public struct Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let preTokenizer: PreTokenizer
    public let bosTokenId: Int32?
    /// The id that ends a generation (for Qwen2.5 instruct models `<|im_end|>`), when known.
    public let eosTokenId: Int32?
    /// Whether `encode` puts `bosTokenId` first.
    public let addsBOS: Bool
    /// The chat format, when the model has one this package can render (ChatML).
    public let chatTemplate: ChatTemplate?
    /// Whether text is put in Unicode normal form C before splitting (Hugging Face's `NFC`
    /// normalizer; GGUF vocabularies, like llama.cpp, do not normalize).
    public let normalizesToNFC: Bool
    private let bpe: BytePairEncoder
    private let specials: SpecialTokenMatcher

    /// Builds a tokenizer from tables.
    ///
    /// - Parameters:
    ///   - tokens: entry texts by id; normal entries in the byte-level alphabet (`Ġ` for space),
    ///     special entries as plain text.
    ///   - kinds: the kind of each entry (same length as `tokens`).
    ///   - merges: merge rules in rank order, as pairs of byte-level token strings.
    ///   - ignoreMerges: emit a word that is itself a token whole (Llama 3).
    ///   - source: the file the tables came from, named in errors.
    /// - Throws: `ModelFileError` (`.invalidTokenizer`) when the tables are inconsistent.
    public init(tokens: [String], kinds: [TokenKind], merges: [(String, String)],
                preTokenizer: PreTokenizer = .qwen2, ignoreMerges: Bool = false,
                bosTokenId: Int32? = nil, eosTokenId: Int32? = nil, addsBOS: Bool = false,
                chatTemplate: ChatTemplate? = nil, normalizesToNFC: Bool = false,
                source: String = "<memory>") throws {
        guard !tokens.isEmpty else {
            throw ModelFileError(.invalidTokenizer, path: source, "the vocabulary is empty")
        }
        guard tokens.count == kinds.count else {
            throw ModelFileError(.invalidTokenizer, path: source,
                                 "\(tokens.count) tokens but \(kinds.count) token types; expected one type per token")
        }
        guard tokens.count < Int(Int32.max) else {
            throw ModelFileError(.invalidTokenizer, path: source, "\(tokens.count) tokens do not fit 32-bit ids")
        }
        for (name, id) in [("BOS", bosTokenId), ("EOS", eosTokenId)] {
            if let id, !(0..<Int32(tokens.count)).contains(id) {
                throw ModelFileError(.invalidTokenizer, path: source,
                                     "\(name) token id \(id) is outside the vocabulary of \(tokens.count) tokens")
            }
        }
        if addsBOS && bosTokenId == nil {
            throw ModelFileError(.invalidTokenizer, path: source, "a BOS token is requested but none is defined")
        }
        let vocabulary = try Vocabulary(texts: tokens, kinds: kinds, path: source)
        self.vocabulary = vocabulary
        self.bpe = try BytePairEncoder(vocabulary: vocabulary, merges: merges, ignoreMerges: ignoreMerges, path: source)
        self.specials = SpecialTokenMatcher(vocabulary: vocabulary)
        self.preTokenizer = preTokenizer
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.addsBOS = addsBOS
        self.chatTemplate = chatTemplate
        self.normalizesToNFC = normalizesToNFC
    }

    /// Number of entries, including special and padding entries (151,936 for Qwen2.5).
    public var vocabularySize: Int { vocabulary.count }

    /// The entry's text as the vocabulary stores it (`Ġworld`, `<|im_end|>`).
    public func tokenText(_ id: Int32) -> String {
        precondition(id >= 0 && Int(id) < vocabulary.count, "token id \(id) outside the vocabulary of \(vocabulary.count)")
        return vocabulary.texts[Int(id)]
    }

    /// The bytes token `id` stands for when decoded.
    public func tokenBytes(_ id: Int32) -> ArraySlice<UInt8> {
        precondition(id >= 0 && Int(id) < vocabulary.count, "token id \(id) outside the vocabulary of \(vocabulary.count)")
        return vocabulary.bytes(of: id)
    }

    /// The id of a special entry by its text (`"<|im_end|>"`), or of the normal entry that
    /// stands for exactly the UTF-8 bytes of `text`.
    public func tokenId(_ text: String) -> Int32? {
        guard let id = vocabulary.id(forBytes: Array(text.utf8)) else { return nil }
        return id
    }

    /// Token ids of `text`.
    ///
    /// - Parameter parseSpecialTokens: when true (the default), special tokens written in the text
    ///   (`<|im_start|>`) become their ids; when false they are encoded as ordinary text, which is
    ///   what untrusted user input should get.
    public func encode(_ text: String, parseSpecialTokens: Bool = true) -> [Int32] {
        var out: [Int32] = []
        if addsBOS, let bos = bosTokenId { out.append(bos) }
        let bytes = Array(text.utf8)
        out.reserveCapacity(bytes.count / 3 + 4)
        bytes.withUnsafeBufferPointer { utf8 in
            let segments: [SpecialTokenMatcher.Segment] =
                parseSpecialTokens && !specials.isEmpty ? specials.segments(utf8) : (utf8.isEmpty ? [] : [.text(0..<utf8.count)])
            var ends: [Int] = []
            for segment in segments {
                switch segment {
                case .special(let id):
                    out.append(id)
                case .text(let range):
                    if normalizesToNFC {
                        let piece = String(decoding: UnsafeBufferPointer(rebasing: utf8[range]), as: UTF8.self)
                        let normalized = Array(piece.precomposedStringWithCanonicalMapping.utf8)
                        normalized.withUnsafeBufferPointer { encodePlain($0, ends: &ends, into: &out) }
                    } else {
                        encodePlain(UnsafeBufferPointer(rebasing: utf8[range]), ends: &ends, into: &out)
                    }
                }
            }
        }
        return out
    }

    private func encodePlain(_ utf8: UnsafeBufferPointer<UInt8>, ends: inout [Int], into out: inout [Int32]) {
        ends.removeAll(keepingCapacity: true)
        preTokenizer.wordEnds(utf8, into: &ends)
        var start = 0
        for end in ends {
            bpe.encode(UnsafeBufferPointer(rebasing: utf8[start..<end]), into: &out)
            start = end
        }
    }

    /// The text of `ids`. Byte sequences that are not valid UTF-8 (a multi-byte character cut
    /// off at the end) become U+FFFD.
    ///
    /// - Parameter skipSpecialTokens: leave out control tokens (`<|im_end|>`); padding entries
    ///   always decode to nothing.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func appendBytes(of id: Int32, skipSpecialTokens: Bool, to bytes: inout [UInt8]) {
        precondition(id >= 0 && Int(id) < vocabulary.count, "token id \(id) outside the vocabulary of \(vocabulary.count)")
        if skipSpecialTokens && vocabulary.kinds[Int(id)] == .control { return }
        vocabulary.appendBytes(of: id, to: &bytes)
    }

    /// The ids of a one-turn chat: `prompt` as the user's message after `system` (or the model's
    /// default system prompt when `system` is nil), ready for the assistant's answer.
    ///
    /// - Precondition: the tokenizer has a chat template.
    public func encodeChat(prompt: String, system: String? = nil) -> [Int32] {
        guard let chatTemplate else { preconditionFailure("this tokenizer has no chat template") }
        return encode(chatTemplate.render(prompt: prompt, system: system))
    }
}
