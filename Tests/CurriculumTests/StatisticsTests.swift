import XCTest
@testable import Curriculum

final class StatisticsTests: XCTestCase {
    /// Reference values from NumPy's default (linear) percentile, worked by hand:
    /// np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]: positions 0.75, 1.5, 2.25.
    func testQuantilesInterpolateLinearly() {
        let v: [Double] = [1, 2, 3, 4]
        XCTAssertEqual(Statistics.quantile(sorted: v, 0.25), 1.75)
        XCTAssertEqual(Statistics.quantile(sorted: v, 0.5), 2.5)
        XCTAssertEqual(Statistics.quantile(sorted: v, 0.75), 3.25)
        XCTAssertEqual(Statistics.quantile(sorted: v, 0), 1)
        XCTAssertEqual(Statistics.quantile(sorted: v, 1), 4)
        XCTAssertEqual(Statistics.quantile(sorted: [5], 0.3), 5)
    }

    /// [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, squared deviations sum to 32, population variance 4.
    func testMeanAndPopulationStd() {
        let v: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        XCTAssertEqual(Statistics.mean(v), 5)
        XCTAssertEqual(Statistics.populationStd(v), 2, accuracy: 1e-15)
        XCTAssertEqual(Statistics.populationStd([3]), 0)
        XCTAssertEqual(Statistics.mean([]), 0)
    }
}
