import Foundation

/// A number written in free text, as `NumberScanner` read it.
struct NumberToken: Equatable, Sendable {
    /// Offsets into the text's Unicode scalars, the sign and currency symbol included.
    var range: Range<Int>
    /// The exact value; nil when `Decimal` cannot hold it exactly (a fraction such as 1/3, a
    /// numerator or denominator of more than 9 digits, more than 38 significant digits).
    var value: Decimal?
}

/// Finds the numbers in free text: the grammar the answer extractor and the ground-truth parser
/// share.
///
/// A number is, in order:
/// - an optional sign (`-`, `−` or `+`), read as a sign only when no letter or digit comes right
///   before it, so that `5-3` is two numbers and `COVID-19` holds 19, not -19;
/// - an optional currency symbol (`$`, `€`, `£`), before or after the sign;
/// - at least one ASCII digit — `.`, `,` and `-` alone are never numbers;
/// - thousands groups: `,` (or LaTeX's `{,}`) and exactly three digits not followed by a fourth,
///   after a first group of at most three digits. `1,234,567` is one number; `1,2` and `2,3,5`
///   are lists of numbers; `1234,567` is two. The price: `100,200,300` written without spaces reads
///   as one number, 100200300. A comma is never a decimal separator (`1.250,50` is 1.25 and 50);
/// - an optional decimal part: `.` and at least one digit, so the period in `12.` ends a sentence;
/// - or, instead of the groups and the decimal part, `/` and a denominator: `3/4` is the fraction
///   0.75, exactly. A fraction whose decimal expansion does not terminate (1/3) or whose
///   denominator is 0 is a number without a value. Three or more integers joined by `/`
///   (`3/4/2021`) are a date and not a number at all.
///
/// What follows the digits is not part of the number: `%`, units (`5km`, `18 dollars`), a trailing
/// `€`, markdown (`**42**`).
enum NumberScanner {
    /// The numbers in `text`, in order.
    static func tokens(in text: [Unicode.Scalar]) -> [NumberToken] {
        var out: [NumberToken] = []
        var i = 0
        while i < text.count {
            if let (token, end) = number(in: text, at: i) {
                if let token { out.append(token) }
                i = end
            } else {
                i += 1
            }
        }
        return out
    }

    /// Reads the number starting at `start`: nil when none starts there; otherwise the token (nil
    /// for a date, which is consumed but not a number) and the offset just past it.
    private static func number(in s: [Unicode.Scalar], at start: Int) -> (NumberToken?, Int)? {
        let n = s.count
        var j = start
        var negative = false
        var signed = false
        func takeSign() {
            guard j < n, s[j] == "-" || s[j] == "−" || s[j] == "+" else { return }
            guard j == 0 || !isAlphanumeric(s[j - 1]) else { return }
            negative = s[j] != "+"
            signed = true
            j += 1
        }
        takeSign()
        if j < n, s[j] == "$" || s[j] == "€" || s[j] == "£" {
            j += 1
            if !signed { takeSign() }
        }
        guard j < n, isDigit(s[j]) else { return nil }

        var integer: [UInt8] = []
        var k = j
        while k < n, isDigit(s[k]) { integer.append(digit(s[k])); k += 1 }
        var grouped = false
        if integer.count <= 3 {
            while let next = thousandsGroup(in: s, at: k) {
                for m in (next - 3)..<next { integer.append(digit(s[m])) }
                k = next
                grouped = true
            }
        }
        var fraction: [UInt8] = []
        if k + 1 < n, s[k] == ".", isDigit(s[k + 1]) {
            k += 1
            while k < n, isDigit(s[k]) { fraction.append(digit(s[k])); k += 1 }
        }
        if !grouped, fraction.isEmpty, k + 1 < n, s[k] == "/", isDigit(s[k + 1]) {
            var parts = [integer]
            while k + 1 < n, s[k] == "/", isDigit(s[k + 1]) {
                k += 1
                var part: [UInt8] = []
                while k < n, isDigit(s[k]) { part.append(digit(s[k])); k += 1 }
                parts.append(part)
            }
            if parts.count > 2 { return (nil, k) }
            return (NumberToken(range: start..<k, value: ratio(negative: negative, parts[0], parts[1])), k)
        }
        return (NumberToken(range: start..<k, value: decimal(negative: negative, integer, fraction)), k)
    }

    /// The offset past a thousands group (`,ddd` or `{,}ddd` with no fourth digit) at `k`.
    private static func thousandsGroup(in s: [Unicode.Scalar], at k: Int) -> Int? {
        var d: Int
        if k < s.count, s[k] == "," {
            d = k + 1
        } else if k + 2 < s.count, s[k] == "{", s[k + 1] == ",", s[k + 2] == "}" {
            d = k + 3
        } else {
            return nil
        }
        guard d + 3 <= s.count, (d..<d + 3).allSatisfy({ isDigit(s[$0]) }) else { return nil }
        d += 3
        return d < s.count && isDigit(s[d]) ? nil : d
    }

    /// Builds the value digit by digit so that nothing goes through binary floating point.
    static func decimal(negative: Bool, _ integer: [UInt8], _ fraction: [UInt8]) -> Decimal? {
        var digits = ArraySlice(integer + fraction)
        var exponent = -fraction.count
        while digits.first == 0 { digits = digits.dropFirst() }
        while digits.last == 0 { digits = digits.dropLast(); exponent += 1 }
        // Zero carries no sign: a negative Decimal with an empty mantissa means NaN.
        guard !digits.isEmpty else { return Decimal(0) }
        // 38 digits fit Decimal's 128-bit mantissa; more would be rounded, and values here are exact.
        guard digits.count <= 38 else { return nil }
        var significand = Decimal(0)
        for d in digits { significand = significand * 10 + Decimal(Int(d)) }
        return Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: significand)
    }

    /// p/q when its decimal expansion terminates: after reducing, q = 2^a·5^b, and
    /// p/q = p·2^(e−a)·5^(e−b)·10^(−e) with e = max(a, b). Nine digits each keep p·2^…·5^… below
    /// 10^38.
    static func ratio(negative: Bool, _ numerator: [UInt8], _ denominator: [UInt8]) -> Decimal? {
        guard numerator.count <= 9, denominator.count <= 9 else { return nil }
        var p = numerator.reduce(0) { $0 * 10 + Int($1) }
        var q = denominator.reduce(0) { $0 * 10 + Int($1) }
        guard q != 0 else { return nil }
        let g = gcd(p, q)
        p /= g
        q /= g
        var twos = 0, fives = 0
        while q % 2 == 0 { q /= 2; twos += 1 }
        while q % 5 == 0 { q /= 5; fives += 1 }
        guard q == 1 else { return nil }
        let e = max(twos, fives)
        var significand = Decimal(p)
        for _ in 0..<(e - twos) { significand *= 2 }
        for _ in 0..<(e - fives) { significand *= 5 }
        if significand == 0 { return Decimal(0) }
        return Decimal(sign: negative ? .minus : .plus, exponent: -e, significand: significand)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? max(a, 1) : gcd(b, a % b) }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

    private static func digit(_ c: Unicode.Scalar) -> UInt8 { UInt8(c.value - 0x30) }

    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || c.properties.isAlphabetic
    }
}
