import XCTest
@testable import Curriculum

final class CurriculumErrorTests: XCTestCase {
    func testMessagesNameFieldExpectationAndFinding() {
        XCTAssertEqual(CurriculumError.invalidConfiguration(field: "emaDecay", expected: "strictly between 0 and 1",
                                                            found: "1.5").description,
                       "curriculum configuration: emaDecay must be strictly between 0 and 1, found 1.5")
        XCTAssertEqual(CurriculumError.nonFiniteValue(field: "reward", sample: 4, found: "nan").description,
                       "curriculum: reward of sample 4 must be a finite number, found nan")
        XCTAssertEqual(CurriculumError.sampleOutOfRange(sample: 9, sampleCount: 3).description,
                       "curriculum: sample index 9 is outside 0..<3")
        XCTAssertEqual(CurriculumError.emptyInput(what: "normalisation").description,
                       "curriculum: normalisation needs at least one value, found none")
    }
}
