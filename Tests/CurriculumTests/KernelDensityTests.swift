import Foundation
import XCTest
@testable import Curriculum

final class KernelDensityTests: XCTestCase {
    /// One point: the estimate is the normal pdf with σ = h, 1 / (h √(2π)) · exp(−z² / 2).
    func testSinglePointIsTheNormalDensity() {
        let h = 0.1
        let d = KernelDensity.density(of: [0.5], bandwidth: h, at: [0.5, 0.6, 0.8])
        let peak = 1 / (h * (2 * Double.pi).squareRoot())   // 3.989422804014327
        XCTAssertEqual(d[0], 3.989422804014327, accuracy: 1e-12)
        XCTAssertEqual(d[1], peak * exp(-0.5), accuracy: 1e-12)
        XCTAssertEqual(d[2], peak * exp(-4.5), accuracy: 1e-12)
    }

    /// The estimate is a density: its trapezoid integral over a wide grid is 1 to within 1e-6.
    func testIntegratesToOne() {
        var g = SeededGenerator(seed: 5)
        let values = (0..<300).map { _ in g.nextUnitDouble() }
        let grid = (0..<4001).map { -1 + 3 * Double($0) / 4000 }
        let d = KernelDensity.density(of: values, bandwidth: 0.05, at: grid)
        let step = 3.0 / 4000
        let integral = zip(d, d.dropFirst()).reduce(0) { $0 + 0.5 * ($1.0 + $1.1) * step }
        XCTAssertEqual(integral, 1, accuracy: 1e-6)
    }

    /// Hand computation for [1, 2, 3, 4, 10]: mean 4, sample variance (9 + 4 + 1 + 0 + 36) / 4 = 12.5,
    /// std 3.5355; quartiles (type 7) 2 and 4, IQR / 1.34 = 1.49254; h = 0.9 · 1.4925 · 5^(−1/5)
    /// = 0.9 · 1.49254 · 0.724780 = 0.973585.
    func testSilvermanBandwidthByHand() {
        XCTAssertEqual(KernelDensity.silvermanBandwidth([1, 2, 3, 4, 10]), 0.973585, accuracy: 1e-5)
        // IQR zero (more than half the values equal): the standard deviation is used instead.
        // [0, 0, 0, 0, 1]: sample std √(0.2) = 0.44721; h = 0.9 · 0.44721 · 0.72478 = 0.29172.
        XCTAssertEqual(KernelDensity.silvermanBandwidth([0, 0, 0, 0, 1]), 0.29172, accuracy: 1e-5)
        XCTAssertEqual(KernelDensity.silvermanBandwidth([2, 2, 2]), 0)
        XCTAssertEqual(KernelDensity.bandwidth(for: [1, 2], rule: .fixed(0.05)), 0.05)
    }

    func testUnitGridCoversBothEnds() {
        let grid = KernelDensity.unitGrid(points: 512)
        XCTAssertEqual(grid.count, 512)
        XCTAssertEqual(grid.first, 0)
        XCTAssertEqual(grid.last!, 1, accuracy: 1e-15)
        XCTAssertEqual(grid[1], 1.0 / 511, accuracy: 1e-15)
    }

    func testBandwidthRuleCodingAndValidation() throws {
        let decoder = JSONDecoder()
        XCTAssertEqual(try decoder.decode([BandwidthRule].self, from: Data(#"["silverman", 0.05]"#.utf8)),
                       [.silverman, .fixed(0.05)])
        XCTAssertEqual(String(decoding: try JSONEncoder().encode([BandwidthRule.silverman, .fixed(0.25)]), as: UTF8.self),
                       #"["silverman",0.25]"#)
        XCTAssertThrowsError(try decoder.decode([BandwidthRule].self, from: Data(#"["scott"]"#.utf8)))
        XCTAssertThrowsError(try decoder.decode([BandwidthRule].self, from: Data("[-0.1]".utf8))) {
            XCTAssertEqual($0 as? CurriculumError, .invalidConfiguration(
                field: "bandwidth", expected: "\"silverman\" or a positive number", found: "-0.1"))
        }
    }
}
