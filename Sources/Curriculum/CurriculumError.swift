/// Input the curriculum cannot use: a configuration value out of range, a reward that is not a
/// finite number, or a sample index outside the dataset. Each case says what was expected and what
/// was found, so the message alone tells the caller what to fix.
public enum CurriculumError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration field holds a value outside its allowed range.
    case invalidConfiguration(field: String, expected: String, found: String)
    /// A reward or score is NaN or infinite; `found` is its printed value.
    case nonFiniteValue(field: String, sample: Int, found: String)
    /// A sample index is not in `0 ..< sampleCount`.
    case sampleOutOfRange(sample: Int, sampleCount: Int)
    /// A computation that needs at least one value was given none.
    case emptyInput(what: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(field, expected, found):
            return "curriculum configuration: \(field) must be \(expected), found \(found)"
        case let .nonFiniteValue(field, sample, found):
            return "curriculum: \(field) of sample \(sample) must be a finite number, found \(found)"
        case let .sampleOutOfRange(sample, sampleCount):
            return "curriculum: sample index \(sample) is outside 0..<\(sampleCount)"
        case let .emptyInput(what):
            return "curriculum: \(what) needs at least one value, found none"
        }
    }
}

extension CurriculumError {
    /// Throws `invalidConfiguration` unless `condition` holds.
    static func require(
        _ condition: Bool, field: String, expected: String, found: @autoclosure () -> String
    ) throws {
        if !condition {
            throw CurriculumError.invalidConfiguration(field: field, expected: expected, found: found())
        }
    }
}
