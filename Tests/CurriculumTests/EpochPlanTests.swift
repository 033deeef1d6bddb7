import XCTest
@testable import Curriculum

final class EpochPlanTests: XCTestCase {
    func testUniformPlanGivesEverySampleTheSameCount() {
        let plan = EpochPlan(uniformFor: 5, rollouts: 7)
        XCTAssertNil(plan.partition)
        XCTAssertEqual(plan.bucketCount, 0)
        XCTAssertEqual((0..<5).map(plan.rollouts(for:)), [7, 7, 7, 7, 7])
    }

    /// Unseen samples stay out of the fit and get the uniform count; seen ones get their bucket's.
    /// Values: 10 at 0.0 and 10 at 1.0 plus two unseen. Buckets {0.0} and {1.0} with normalised
    /// means 0 and 1 → 10 and 4 rollouts (defaults); unseen → 6 (as configured here).
    func testUnseenSamplesGetTheUniformCountAndStayOutOfTheFit() throws {
        let values: [Double?] = Array(repeating: 0.0, count: 10) + [nil] + Array(repeating: 1.0, count: 10) + [nil]
        let plan = try EpochPlan(values: values, bucketizer: ValleyBucketizer(config: .defaults),
                                 policy: .defaults, uniformRollouts: 6)
        XCTAssertEqual(plan.bucketCount, 2)
        XCTAssertEqual(plan.partition?.scale, try MinMaxScale(fitting: [0, 1]))
        XCTAssertEqual(plan.bucketNormalisedMeans, [0, 1])
        XCTAssertEqual(plan.bucketRollouts, [10, 4])
        XCTAssertNil(plan.sampleBuckets[10])
        XCTAssertNil(plan.sampleBuckets[21])
        XCTAssertEqual(plan.rollouts(for: 10), 6)
        XCTAssertEqual(plan.rollouts(for: 0), 10)
        XCTAssertEqual(plan.rollouts(for: 20), 4)
    }

    /// All seen values equal: one bucket whose normalised mean is 0.5 → midpoint count 7, no NaN.
    func testAllEqualValuesGiveTheMidpointCount() throws {
        let plan = try EpochPlan(values: Array(repeating: -2.3, count: 12), bucketizer: ValleyBucketizer(config: .defaults),
                                 policy: .defaults, uniformRollouts: 7)
        XCTAssertEqual(plan.bucketCount, 1)
        XCTAssertEqual(plan.bucketNormalisedMeans, [0.5])
        XCTAssertEqual(plan.bucketRollouts, [7])
    }

    func testNothingSeenGivesAUniformPlan() throws {
        let plan = try EpochPlan(values: [nil, nil], bucketizer: ValleyBucketizer(config: .defaults),
                                 policy: .defaults, uniformRollouts: 5)
        XCTAssertEqual(plan, EpochPlan(uniformFor: 2, rollouts: 5))
    }
}
