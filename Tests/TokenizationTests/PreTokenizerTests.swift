import Testing
@testable import Tokenization

/// Splits worked out by hand from the pattern (see PreTokenizer.swift), alternative by
/// alternative.
@Suite struct PreTokenizerTests {
    static let qwen2Cases: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("", []),
        // contractions, either case; an apostrophe before other letters is an ordinary prefix
        ("I'm DON'T they'll", ["I", "'m", " DON", "'T", " they", "'ll"]),
        ("'sa 'x", ["'s", "a", " '", "x"]),
        ("'x", ["'x"]),
        // digits one by one, even after letters
        ("abc123", ["abc", "1", "2", "3"]),
        ("3.14", ["3", ".", "1", "4"]),
        // a run of spaces before a word gives its last space to the word
        ("  hello", [" ", " hello"]),
        ("x   y", ["x", "  ", " y"]),
        // trailing spaces stay together
        ("x   ", ["x", "   "]),
        // whitespace up to the last line break is one word
        ("a  \n\n b", ["a", "  \n\n", " b"]),
        ("\r\n\r\nx", ["\r\n\r\n", "x"]),
        // punctuation runs take one leading space and trailing line breaks
        ("hi!!!\n\nthere", ["hi", "!!!\n\n", "there"]),
        (" ...", [" ..."]),
        // a tab is not the optional space of the punctuation rule, but prefixes a letter run
        ("\t(x)", ["\t", "(x", ")"]),
        ("\tx", ["\tx"]),
        // full-width punctuation prefixes the following letters
        ("你好，世界", ["你好", "，世界"]),
        // a combining accent is a mark, not a letter
        ("e\u{301}t", ["e", "\u{301}t"]),
        // no-break space is whitespace for \s but may prefix a letter run
        ("a\u{a0}b", ["a", "\u{a0}b"]),
        // ZWJ emoji: symbols and a format character, all "other"
        (" 👨‍👩‍👧!", [" 👨‍👩‍👧!"]),
    ]

    @Test(arguments: qwen2Cases.indices)
    func qwen2(_ i: Int) {
        let (text, words) = Self.qwen2Cases[i]
        #expect(PreTokenizer.qwen2.split(text) == words, "\(text.debugDescription)")
    }

    @Test func llama3GroupsDigitsByThree() {
        #expect(PreTokenizer.llama3.split("12345 x1234") == ["123", "45", " x", "123", "4"])
    }

    @Test func wordsConcatenateToTheText() {
        let text = "  Mixed: ½ ² ٣ 1,000\t\tend \u{3000}x\r\n  \n"
        #expect(PreTokenizer.qwen2.split(text).joined() == text)
    }
}
