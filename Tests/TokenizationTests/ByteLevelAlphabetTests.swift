import Testing
@testable import Tokenization

@Suite struct ByteLevelAlphabetTests {
    @Test func mapsEveryByteToADistinctPrintableScalar() {
        let chars = ByteLevelAlphabet.character
        #expect(chars.count == 256)
        #expect(Set(chars).count == 256)
        for c in chars { #expect(!c.properties.isWhitespace && c.properties.generalCategory != .control) }
    }

    @Test func knownCharacters() {
        #expect(ByteLevelAlphabet.character[Int(UInt8(ascii: " "))] == "\u{120}")  // Ġ
        #expect(ByteLevelAlphabet.character[Int(UInt8(ascii: "\n"))] == "\u{10A}") // Ċ
        #expect(ByteLevelAlphabet.character[Int(UInt8(ascii: "!"))] == "!")
        #expect(ByteLevelAlphabet.character[0] == "\u{100}")
        #expect(ByteLevelAlphabet.character[0xAD] == "\u{143}") // soft hyphen, the last remapped byte
        #expect(ByteLevelAlphabet.character[0xE9] == "é")
    }

    @Test func roundTripsAllBytes() {
        let all = (0...255).map(UInt8.init)
        let s = ByteLevelAlphabet.string(of: all)
        #expect(ByteLevelAlphabet.bytes(of: s) == all)
        #expect(ByteLevelAlphabet.bytes(of: "Ġworld") == Array(" world".utf8))
    }

    @Test func rejectsCharactersOutsideTheAlphabet() {
        #expect(ByteLevelAlphabet.bytes(of: "a b") == nil)  // a raw space
        #expect(ByteLevelAlphabet.bytes(of: "€") == nil)
        #expect(ByteLevelAlphabet.byte(for: "\u{144}") == nil)
    }
}
