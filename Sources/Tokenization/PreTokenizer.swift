/// Splits text into the words that BPE encodes one at a time (a merge never crosses a word
/// boundary). This is the split of the GPT-4-style pattern that Qwen2 and Llama 3 ship in their
/// `tokenizer.json`:
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,k}
///     | ' '?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
///
/// with k = 1 for Qwen2 (every digit is its own word) and k = 3 for Llama 3. The pattern is
/// matched by hand over Unicode scalar properties rather than with a regex engine: the
/// alternatives never need backtracking beyond one scalar, and a regex engine is an order of
/// magnitude slower on long inputs. `\p{L}` and `\p{N}` are the general categories L* and N*;
/// `\s` is the Unicode White_Space property (the same 25 scalars Python's and Oniguruma's `\s`
/// match).
public struct PreTokenizer: Sendable, Equatable {
    /// The longest run of digits kept together in one word.
    public let maxDigitRun: Int

    public init(maxDigitRun: Int) {
        precondition(maxDigitRun >= 1, "maxDigitRun must be at least 1")
        self.maxDigitRun = maxDigitRun
    }

    /// Qwen2 / Qwen2.5: digits are split one by one.
    public static let qwen2 = PreTokenizer(maxDigitRun: 1)
    /// Llama 3: digits in groups of up to three.
    public static let llama3 = PreTokenizer(maxDigitRun: 3)

    /// The words of `text`, in order; their concatenation is `text`.
    public func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var ends: [Int] = []
        bytes.withUnsafeBufferPointer { wordEnds($0, into: &ends) }
        var words: [String] = []
        var start = 0
        for end in ends {
            words.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end
        }
        return words
    }

    /// Appends to `ends` the byte offset just past each word of `utf8`, which must be valid UTF-8.
    func wordEnds(_ utf8: UnsafeBufferPointer<UInt8>, into ends: inout [Int]) {
        // Decode once into parallel arrays: scalar classes and the byte offset of each scalar.
        var classes: [ScalarClass] = []
        var offsets: [Int] = []
        classes.reserveCapacity(utf8.count)
        offsets.reserveCapacity(utf8.count + 1)
        var i = 0
        while i < utf8.count {
            offsets.append(i)
            let (scalar, length) = Self.decodeScalar(utf8, at: i)
            classes.append(ScalarClass(scalar))
            i += length
        }
        offsets.append(utf8.count)
        let n = classes.count

        var pos = 0
        while pos < n {
            let end = matchEnd(classes, pos)
            assert(end > pos)
            ends.append(offsets[end])
            pos = end
        }
    }

    /// End (in scalars) of the word that starts at scalar `p`: the first alternative of the
    /// pattern that matches there, as a leftmost-first regex engine would choose it.
    private func matchEnd(_ c: [ScalarClass], _ p: Int) -> Int {
        let n = c.count
        @inline(__always) func at(_ i: Int) -> ScalarClass { i < n ? c[i] : .end }
        let here = c[p]

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if here.ascii == UInt8(ascii: "'") {
            let a = at(p + 1).asciiLowercase, b = at(p + 2).asciiLowercase
            switch a {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return p + 2
            case UInt8(ascii: "r") where b == UInt8(ascii: "e"),
                 UInt8(ascii: "v") where b == UInt8(ascii: "e"),
                 UInt8(ascii: "l") where b == UInt8(ascii: "l"):
                return p + 3
            default: break
            }
        }

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if here.isLetter || (!here.isNewline && !here.isNumber && at(p + 1).isLetter) {
            var e = p + 1
            while at(e).isLetter { e += 1 }
            return e
        }

        // \p{N}{1,k}
        if here.isNumber {
            var e = p + 1
            while e < p + maxDigitRun && at(e).isNumber { e += 1 }
            return e
        }

        // ' '?[^\s\p{L}\p{N}]+[\r\n]*
        let q = here.ascii == UInt8(ascii: " ") ? p + 1 : p
        if at(q).isOther {
            var e = q + 1
            while at(e).isOther { e += 1 }
            while at(e).isNewline { e += 1 }
            return e
        }

        // Everything left starts with whitespace.
        assert(here.isWhitespace)
        var e = p
        var lastNewline = -1
        while at(e).isWhitespace {
            if at(e).isNewline { lastNewline = e }
            e += 1
        }
        // \s*[\r\n]+ : the run up to and including its last line break.
        if lastNewline >= 0 { return lastNewline + 1 }
        // \s+(?!\S) : a run followed by a non-space gives its last space to the next word.
        if e - p > 1 && e < n { return e - 1 }
        // \s+
        return e
    }

    /// The scalar starting at byte `i` of valid UTF-8 and its length in bytes.
    @inline(__always)
    static func decodeScalar(_ u: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(u[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(u[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(u[i + 1] & 0x3F) << 6 | UInt32(u[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(u[i + 1] & 0x3F) << 12 | UInt32(u[i + 2] & 0x3F) << 6
                | UInt32(u[i + 3] & 0x3F), 4)
    }
}

/// What the pre-tokenizer pattern needs to know about one scalar, packed in a byte and a half.
struct ScalarClass: Equatable {
    private var flags: UInt8
    /// The scalar when it is ASCII, else 0 (for the contraction and `' '?` tests).
    let ascii: UInt8

    private static let letter: UInt8 = 1, number: UInt8 = 2, whitespace: UInt8 = 4
    private static let newline: UInt8 = 8, present: UInt8 = 16

    /// Past the end of the text: matches nothing.
    static let end = ScalarClass(flags: 0, ascii: 0)

    private init(flags: UInt8, ascii: UInt8) {
        self.flags = flags
        self.ascii = ascii
    }

    init(_ value: UInt32) {
        if value < 0x80 {
            self = Self.asciiTable[Int(value)]
            return
        }
        // Every UTF-8-decoded value is a valid scalar (surrogates cannot occur in a String).
        let props = Unicode.Scalar(value)!.properties
        var f = Self.present
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            f |= Self.letter
        case .decimalNumber, .letterNumber, .otherNumber:
            f |= Self.number
        default: break
        }
        if props.isWhitespace { f |= Self.whitespace }
        self.init(flags: f, ascii: 0)
    }

    private static let asciiTable: [ScalarClass] = (0..<128).map { v -> ScalarClass in
        let c = UInt8(v)
        var f = present
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): f |= letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): f |= number
        case 0x0A, 0x0D: f |= whitespace | newline
        case 0x09, 0x0B, 0x0C, 0x20: f |= whitespace
        default: break
        }
        return ScalarClass(flags: f, ascii: c)
    }

    var isLetter: Bool { flags & Self.letter != 0 }
    var isNumber: Bool { flags & Self.number != 0 }
    var isWhitespace: Bool { flags & Self.whitespace != 0 }
    /// `\r` or `\n`.
    var isNewline: Bool { flags & Self.newline != 0 }
    /// `[^\s\p{L}\p{N}]`: a scalar that is there and is neither whitespace, letter nor number.
    var isOther: Bool { flags & (Self.present | Self.letter | Self.number | Self.whitespace) == Self.present }

    var asciiLowercase: UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(ascii) ? ascii | 0x20 : ascii
    }
}
