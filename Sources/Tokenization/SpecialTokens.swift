/// Finds special tokens (control and user-defined entries such as `<|im_start|>`,
/// `<|endoftext|>`, `<tool_call>`) written literally in text, so that they become their own ids
/// instead of being spelled out byte by byte. Text is cut at them before pre-tokenization, so no
/// BPE word ever spans one. Where several special tokens start at the same position the longest
/// wins; scanning is left to right.
struct SpecialTokenMatcher: Sendable {
    /// A piece of input: either plain text (a byte range) or one special token.
    enum Segment: Equatable {
        case text(Range<Int>)
        case special(Int32)
    }

    /// Candidates by first byte, longest first.
    private let byFirstByte: [[(bytes: [UInt8], id: Int32)]]

    init(vocabulary: Vocabulary) {
        var table = [[(bytes: [UInt8], id: Int32)]](repeating: [], count: 256)
        for id in 0..<vocabulary.count where vocabulary.kinds[id].isSpecial {
            let bytes = Array(vocabulary.bytes(of: Int32(id)))
            guard let first = bytes.first else { continue }
            table[Int(first)].append((bytes, Int32(id)))
        }
        for i in 0..<256 { table[i].sort { $0.bytes.count > $1.bytes.count } }
        byFirstByte = table
    }

    var isEmpty: Bool { byFirstByte.allSatisfy(\.isEmpty) }

    /// `utf8` cut into plain-text ranges and special tokens, in order. Empty text ranges are left
    /// out. Special tokens start with an ASCII or lead byte, so cuts fall on scalar boundaries.
    func segments(_ utf8: UnsafeBufferPointer<UInt8>) -> [Segment] {
        var out: [Segment] = []
        var textStart = 0
        var i = 0
        scan: while i < utf8.count {
            for candidate in byFirstByte[Int(utf8[i])] where candidate.bytes.count <= utf8.count - i {
                if candidate.bytes.withUnsafeBufferPointer({ UnsafeBufferPointer(rebasing: utf8[i..<i + $0.count]).elementsEqual($0) }) {
                    if textStart < i { out.append(.text(textStart..<i)) }
                    out.append(.special(candidate.id))
                    i += candidate.bytes.count
                    textStart = i
                    continue scan
                }
            }
            i += 1
        }
        if textStart < utf8.count { out.append(.text(textStart..<utf8.count)) }
        return out
    }
}
