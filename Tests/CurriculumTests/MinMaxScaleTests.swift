import XCTest
@testable import Curriculum

final class MinMaxScaleTests: XCTestCase {
    func testMapsRangeOntoUnitIntervalAndBack() throws {
        let s = try MinMaxScale(fitting: [-4, -1, -2.5])
        XCTAssertEqual(s.minimum, -4)
        XCTAssertEqual(s.maximum, -1)
        XCTAssertEqual(s.normalise(-4), 0)
        XCTAssertEqual(s.normalise(-1), 1)
        XCTAssertEqual(s.normalise(-2.5), 0.5)
        XCTAssertEqual(s.raw(0.5), -2.5)
        XCTAssertEqual(s.raw(0), -4)
        XCTAssertEqual(s.raw(1), -1)
        // Outside the fitted range: clamped.
        XCTAssertEqual(s.normalise(10), 1)
        XCTAssertEqual(s.normalise(-10), 0)
    }

    func testAllEqualMapsToTheMiddle() throws {
        let s = try MinMaxScale(fitting: [0.3, 0.3])
        XCTAssertTrue(s.isDegenerate)
        XCTAssertEqual(s.normalise(0.3), 0.5)
    }

    func testExtremeButFiniteValuesStayFinite() throws {
        let big = Double.greatestFiniteMagnitude
        let s = try MinMaxScale(fitting: [-big, big])
        XCTAssertEqual(s.normalise(0), 0.5)
        XCTAssertEqual(s.normalise(big), 1)
        XCTAssertEqual(s.raw(0.5), 0)
    }

    func testRejectsEmptyAndNonFiniteInput() {
        XCTAssertThrowsError(try MinMaxScale(fitting: [])) {
            XCTAssertEqual($0 as? CurriculumError, .emptyInput(what: "normalisation"))
        }
        XCTAssertThrowsError(try MinMaxScale(fitting: [1, .infinity])) {
            XCTAssertEqual($0 as? CurriculumError, .nonFiniteValue(field: "value", sample: 1, found: "inf"))
        }
    }
}
