import Foundation
import XCTest
@testable import Curriculum

final class SchedulerConfigTests: XCTestCase {
    func testDefaults() throws {
        let c = try SchedulerConfig()
        XCTAssertEqual(c.emaDecay, 0.7)
        XCTAssertEqual(c.difficultySignal, .compositeReward)
        XCTAssertEqual(c.bucketizer.maxBuckets, 3)
        XCTAssertEqual(c.bucketizer.bandwidth, .silverman)
        XCTAssertEqual(c.bucketizer.gridPoints, 512)
        XCTAssertEqual(c.bucketizer.minBucketSize, 8)
        XCTAssertEqual(c.rollouts, try RolloutPolicy(base: 4, alpha: 1.5))
        XCTAssertEqual(c.batchSize, 16)
        XCTAssertEqual(c.batchMode, .withinBucket)
        XCTAssertEqual(c.warmUpEpochs, 1)
        XCTAssertEqual(c.effectiveUniformRollouts, 7)
    }

    func testDecodesPartialJSONAndRoundTrips() throws {
        let json = #"{"difficultySignal": "taskScore", "batchMode": "mixed", "rollouts": {"alpha": 1},"#
            + #" "bucketizer": {"bandwidth": 0.05}, "uniformRollouts": 8}"#
        let c = try JSONDecoder().decode(SchedulerConfig.self, from: Data(json.utf8))
        XCTAssertEqual(c, try SchedulerConfig(difficultySignal: .taskScore,
                                              bucketizer: BucketizerConfig(bandwidth: .fixed(0.05)),
                                              rollouts: RolloutPolicy(alpha: 1), batchMode: .mixed,
                                              uniformRollouts: 8))
        XCTAssertEqual(try JSONDecoder().decode(SchedulerConfig.self, from: JSONEncoder().encode(c)), c)
    }

    func testRejectsBadValuesWithTypedErrors() {
        func decode(_ json: String) throws -> SchedulerConfig {
            try JSONDecoder().decode(SchedulerConfig.self, from: Data(json.utf8))
        }
        XCTAssertThrowsError(try decode(#"{"emaDecay": 1.0}"#)) {
            XCTAssertEqual($0 as? CurriculumError, .invalidConfiguration(
                field: "emaDecay", expected: "strictly between 0 and 1", found: "1.0"))
        }
        XCTAssertThrowsError(try decode(#"{"batchSize": 0}"#)) {
            XCTAssertEqual($0 as? CurriculumError, .invalidConfiguration(field: "batchSize", expected: "at least 1", found: "0"))
        }
        XCTAssertThrowsError(try decode(#"{"bucketizer": {"maxBuckets": 0}}"#)) {
            XCTAssertEqual($0 as? CurriculumError, .invalidConfiguration(field: "maxBuckets", expected: "at least 1", found: "0"))
        }
        XCTAssertThrowsError(try decode(#"{"uniformRollouts": 11}"#)) {
            XCTAssertEqual($0 as? CurriculumError, .invalidConfiguration(field: "uniformRollouts", expected: "in 4...10", found: "11"))
        }
        XCTAssertThrowsError(try decode(#"{"warmUpEpochs": -1}"#))
        XCTAssertThrowsError(try SchedulerConfig(emaDecay: 0))
    }

    /// Fields are mutable; a configuration changed to a bad value is caught when it is used.
    func testMutatedConfigurationIsCheckedOnUse() throws {
        var c = try SchedulerConfig()
        c.bucketizer.maxBuckets = 0
        XCTAssertThrowsError(try DatasetScheduler(sampleCount: 4, config: c, seed: 1)) {
            XCTAssertEqual($0 as? CurriculumError, .invalidConfiguration(field: "maxBuckets", expected: "at least 1", found: "0"))
        }
        XCTAssertThrowsError(try ValleyBucketizer(config: c.bucketizer))
    }
}
