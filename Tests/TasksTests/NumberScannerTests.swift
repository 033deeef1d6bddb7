import Foundation
import Testing
@testable import Tasks

struct NumberScannerTests {
    func scan(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        return NumberScanner.tokens(in: s).map { t in
            String(String.UnicodeScalarView(s[t.range])) + "=" + (t.value.map { "\($0)" } ?? "nil")
        }
    }

    @Test func tokensCoverSignCurrencyAndDigitsOnly() {
        #expect(scan("pay -$1,250.50 now") == ["-$1,250.50=-1250.5"])
        #expect(scan("5-3=2") == ["5=5", "3=3", "2=2"])
        #expect(scan("x = -3, y = (+4)") == ["-3=-3", "+4=4"])
        #expect(scan("$-5 and € 7") == ["$-5=-5", "7=7"])
        #expect(scan("25% of 5km is 12.") == ["25=25", "5=5", "12=12"])
    }

    /// Thousands groups are exactly three digits after a first group of at most three.
    @Test func thousandsSeparators() {
        #expect(scan("1,234,567") == ["1,234,567=1234567"])
        #expect(scan("1,2") == ["1=1", "2=2"])
        #expect(scan("1,2345") == ["1=1", "2345=2345"])
        #expect(scan("1234,567") == ["1234=1234", "567=567"])
        #expect(scan("1,234,56") == ["1,234=1234", "56=56"])
        #expect(scan("12{,}000.5") == ["12{,}000.5=12000.5"])
        #expect(scan("1.250,50") == ["1.250=1.25", "50=50"])
    }

    @Test func fractionsAndDates() {
        #expect(scan("3/4") == ["3/4=0.75"])
        #expect(scan("-7/8") == ["-7/8=-0.875"])
        #expect(scan("1/3 and 2/0") == ["1/3=nil", "2/0=nil"])
        #expect(scan("0/5") == ["0/5=0"])
        #expect(scan("on 3/4/2021 at 9") == ["9=9"])
        #expect(scan("1.5/3") == ["1.5=1.5", "3=3"])
        #expect(scan("1234567890/2") == ["1234567890/2=nil"])
    }

    /// Values are exact up to 38 significant digits; zero is never negative (a negative Decimal
    /// with no digits is NaN).
    @Test func exactValues() {
        let digits38 = String(repeating: "9", count: 38)
        #expect(scan(digits38) == ["\(digits38)=\(digits38)"])
        #expect(scan("1" + digits38) == ["1\(digits38)=nil"])
        let tiny = "0." + String(repeating: "0", count: 44) + "1"
        #expect(NumberScanner.tokens(in: Array(tiny.unicodeScalars))[0].value == Decimal(sign: .plus, exponent: -45, significand: 1))
        let zero = NumberScanner.tokens(in: Array("-0.00".unicodeScalars))[0].value
        #expect(zero == 0)
        #expect(zero?.isNaN == false)
        #expect(NumberScanner.tokens(in: Array("2.50".unicodeScalars))[0].value == Decimal(string: "2.5"))
    }

    @Test func notNumbers() {
        for text in ["", ".", ",", "-", "$", "- . ,", "abc", "%"] { #expect(scan(text).isEmpty, "\(text)") }
    }
}
