import Foundation
import XCTest
@testable import Curriculum

final class ValleyBucketizerTests: XCTestCase {
    typealias C = TestSamples.Component

    /// Three well-separated clusters with weights 8 / 46 / 46 %.
    let threeClusters = [C(weight: 0.08, mean: 0.15, std: 0.04),
                         C(weight: 0.46, mean: 0.50, std: 0.05),
                         C(weight: 0.46, mean: 0.85, std: 0.04)]

    private func fit(_ values: [Double], _ config: BucketizerConfig = .defaults) throws -> BucketPartition {
        try ValleyBucketizer(config: config).fit(values)
    }

    private func shares(_ assignment: [Int], buckets: Int) -> [Double] {
        var counts = Array(repeating: 0, count: buckets)
        for b in assignment { counts[b] += 1 }
        return counts.map { Double($0) / Double(assignment.count) }
    }

    /// Acceptance 1: three buckets, boundaries within 5 % of the range from the true density minima
    /// (found by grid search of the generating pdf, see `TestSamples.trueDensityMinimum`), shares
    /// within 3 points of 8 / 46 / 46 %. Checked for Silverman and for the fixed 0.05 bandwidth, on
    /// several seeds.
    func testThreeSeparatedGaussiansGiveThreeBucketsAtTheTrueMinima() throws {
        let trueMinima = [TestSamples.trueDensityMinimum(threeClusters, between: 0.15, and: 0.50),
                          TestSamples.trueDensityMinimum(threeClusters, between: 0.50, and: 0.85)]
        let fixed = try BucketizerConfig(bandwidth: .fixed(0.05))
        for seed: UInt64 in [1, 2, 3] {
            let values = TestSamples.mixture(threeClusters, n: 1000, seed: seed)
            let range = values.max()! - values.min()!
            for config in [BucketizerConfig.defaults, fixed] {
                let partition = try fit(values, config)
                XCTAssertEqual(partition.bucketCount, 3, "seed \(seed), \(config.bandwidth)")
                guard partition.bucketCount == 3 else { continue }
                for (found, truth) in zip(partition.rawBoundaries, trueMinima) {
                    XCTAssertEqual(found, truth, accuracy: 0.05 * range, "seed \(seed), \(config.bandwidth)")
                }
                let s = shares(partition.assign(values), buckets: 3)
                for (found, truth) in zip(s, [0.08, 0.46, 0.46]) {
                    XCTAssertEqual(found, truth, accuracy: 0.03, "seed \(seed), \(config.bandwidth)")
                }
            }
        }
    }

    func testOneGaussianGivesOneBucket() throws {
        for seed: UInt64 in [4, 5, 6] {
            let values = TestSamples.mixture([C(weight: 1, mean: -2.3, std: 0.4)], n: 1000, seed: seed)
            XCTAssertEqual(try fit(values).bucketCount, 1, "seed \(seed)")
        }
    }

    func testTwoGaussiansGiveTwoBucketsAtTheTrueMinimum() throws {
        let two = [C(weight: 0.5, mean: 0.3, std: 0.05), C(weight: 0.5, mean: 0.7, std: 0.06)]
        let truth = TestSamples.trueDensityMinimum(two, between: 0.3, and: 0.7)
        for seed: UInt64 in [7, 8, 9] {
            let values = TestSamples.mixture(two, n: 600, seed: seed)
            let partition = try fit(values)
            XCTAssertEqual(partition.bucketCount, 2, "seed \(seed)")
            let range = values.max()! - values.min()!
            XCTAssertEqual(partition.rawBoundaries.first ?? .nan, truth, accuracy: 0.05 * range)
            let s = shares(partition.assign(values), buckets: partition.bucketCount)
            XCTAssertEqual(s[0], 0.5, accuracy: 0.03)
        }
    }

    /// Heavy tails put isolated points far from the bulk; they must not become buckets.
    func testHeavyTailedUnimodalDataMakesNoSpuriousSplit() throws {
        for seed: UInt64 in [10, 11, 12, 13, 14] {
            var g = SeededGenerator(seed: seed)
            let laplace = (0..<1000).map { _ in TestSamples.laplace(&g, scale: 0.5) }
            let student = (0..<1000).map { _ in TestSamples.studentT(&g, nu: 3) }
            XCTAssertEqual(try fit(laplace).bucketCount, 1, "Laplace, seed \(seed)")
            XCTAssertEqual(try fit(student).bucketCount, 1, "Student-t(3), seed \(seed)")
        }
    }

    func testAllEqualValuesGiveOneBucketWithoutNaN() throws {
        let partition = try fit(Array(repeating: -2.25, count: 40))
        XCTAssertEqual(partition.bucketCount, 1)
        XCTAssertEqual(partition.bandwidth, 0)
        XCTAssertEqual(partition.scale.normalise(-2.25), 0.5)
        XCTAssertEqual(partition.assign([-2.25, -2.25]), [0, 0])
        XCTAssertEqual(partition.rawRange(of: 0), -2.25 ... -2.25)
        // A single value is the same degenerate case.
        XCTAssertEqual(try fit([3]).bucketCount, 1)
    }

    func testShiftedAndScaledDataGivesTheSamePartition() throws {
        let values = TestSamples.mixture(threeClusters, n: 1000, seed: 21)
        let lo = values.min()!, hi = values.max()!
        let moved = values.map { -6 + 6 * ($0 - lo) / (hi - lo) }  // now spans [−6, 0]
        let a = try fit(values)
        let b = try fit(moved)
        XCTAssertEqual(a.bucketCount, 3)
        XCTAssertEqual(a.assign(values), b.assign(moved))
        XCTAssertEqual(a.boundaries.count, b.boundaries.count)
        for (x, y) in zip(a.boundaries, b.boundaries) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        for (x, y) in zip(a.rawBoundaries, b.rawBoundaries) {
            XCTAssertEqual(-6 + 6 * (x - lo) / (hi - lo), y, accuracy: 1e-9)
        }
    }

    /// With more valleys than buckets allowed, the most prominent ones win: here the shallow notch
    /// between the two close clusters loses to the deep gap before the far one.
    func testKeepsTheMostProminentValleys() throws {
        let values = TestSamples.mixture([C(weight: 0.3, mean: 0.0, std: 0.05),
                                          C(weight: 0.3, mean: 0.3, std: 0.05),
                                          C(weight: 0.4, mean: 1.0, std: 0.05)], n: 1000, seed: 30)
        let partition = try fit(values, BucketizerConfig(maxBuckets: 2))
        XCTAssertEqual(partition.bucketCount, 2)
        XCTAssertEqual(partition.rawBoundaries[0], 0.65, accuracy: 0.1)
        XCTAssertGreaterThanOrEqual(partition.valleys.count, 2)
    }

    /// A 7-sample cluster makes a real valley but is below min_bucket_size 8, so it joins its
    /// neighbour; with a minimum of 1 it stays. Both runs use the default prominence threshold, so
    /// only the size rule differs.
    func testMergesBucketsBelowTheMinimumSize() throws {
        var values = TestSamples.mixture([C(weight: 1, mean: 0.5, std: 0.05)], n: 200, seed: 31)
        values += [0.95, 0.955, 0.96, 0.965, 0.97, 0.975, 0.98]
        let merged = try fit(values, BucketizerConfig(minBucketSize: 8))
        XCTAssertEqual(merged.bucketCount, 1)
        XCTAssertFalse(merged.valleys.isEmpty, "the small cluster should make a valley")
        let kept = try fit(values, BucketizerConfig(minBucketSize: 1))
        XCTAssertEqual(kept.bucketCount, 2)
        XCTAssertEqual(kept.assign(values).filter { $0 == 1 }.count, 7)
    }

    /// Valley search on hand-made density curves, where prominence can be worked out by eye.
    func testValleysOnHandMadeCurves() {
        // Peaks 4 and 10, floor 1 between them: prominence = min(4, 10) − 1 = 3, relative 3 / 10.
        let density: [Double] = [0, 2, 4, 2, 1, 5, 10, 5, 0]
        let grid = (0..<density.count).map { Double($0) / 8 }
        let v = ValleyBucketizer.valleys(in: density, grid: grid)
        XCTAssertEqual(v.count, 1)
        XCTAssertEqual(v[0].position, 0.5)
        XCTAssertEqual(v[0].relativeProminence, 0.3, accuracy: 1e-15)
        XCTAssertEqual(v[0].relativeDepth, 0.1, accuracy: 1e-15)
        // A zero plateau between two clusters is one valley, at the middle of the plateau.
        let plateau: [Double] = [1, 3, 0, 0, 0, 0, 0, 2, 1]
        let p = ValleyBucketizer.valleys(in: plateau, grid: grid)
        XCTAssertEqual(p.map(\.position), [0.5])
        XCTAssertEqual(p[0].relativeProminence, 2.0 / 3.0, accuracy: 1e-15)
        // Monotone curves and plateaus at the ends have no valley.
        XCTAssertTrue(ValleyBucketizer.valleys(in: [5, 4, 3, 2, 1, 1, 1, 1, 1], grid: grid).isEmpty)
        XCTAssertTrue(ValleyBucketizer.valleys(in: Array(repeating: 0, count: 9), grid: grid).isEmpty)
        // Two valleys ranked by prominence, not by depth: the floor 0.5 is lower but its
        // enclosing ridge (1) is low, prominence 0.5; the floor 2 sits under ridges 9 and 8,
        // prominence 6.
        let two: [Double] = [0, 1, 0.5, 9, 2, 8, 0, 0, 0]
        XCTAssertEqual(ValleyBucketizer.valleys(in: two, grid: grid).map(\.position), [0.5, 0.25])
    }

    func testRejectsBadInputAndBadConfiguration() {
        XCTAssertThrowsError(try fit([])) { XCTAssertEqual($0 as? CurriculumError, .emptyInput(what: "normalisation")) }
        XCTAssertThrowsError(try fit([0.1, .nan])) {
            XCTAssertEqual($0 as? CurriculumError, .nonFiniteValue(field: "value", sample: 1, found: "nan"))
        }
        XCTAssertThrowsError(try BucketizerConfig(maxBuckets: 0))
        XCTAssertThrowsError(try BucketizerConfig(gridPoints: 2))
        XCTAssertThrowsError(try BucketizerConfig(minRelativeProminence: 1))
        XCTAssertThrowsError(try BucketizerConfig(minBucketSize: 0))
        XCTAssertThrowsError(try BucketizerConfig(bandwidth: .fixed(0)))
    }

    func testConfigurationDecodesWithDefaultsAndValidates() throws {
        let decoder = JSONDecoder()
        XCTAssertEqual(try decoder.decode(BucketizerConfig.self, from: Data("{}".utf8)), .defaults)
        let custom = try decoder.decode(BucketizerConfig.self,
                                        from: Data(#"{"maxBuckets": 4, "bandwidth": 0.05}"#.utf8))
        XCTAssertEqual(custom, try BucketizerConfig(maxBuckets: 4, bandwidth: .fixed(0.05)))
        XCTAssertThrowsError(try decoder.decode(BucketizerConfig.self, from: Data(#"{"maxBuckets": 0}"#.utf8))) {
            XCTAssertEqual($0 as? CurriculumError,
                           .invalidConfiguration(field: "maxBuckets", expected: "at least 1", found: "0"))
        }
        let roundTrip = try decoder.decode(BucketizerConfig.self, from: JSONEncoder().encode(custom))
        XCTAssertEqual(roundTrip, custom)
    }
}
