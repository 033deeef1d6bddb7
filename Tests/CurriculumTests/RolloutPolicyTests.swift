import Foundation
import XCTest
@testable import Curriculum

final class RolloutPolicyTests: XCTestCase {
    /// Acceptance 2, formula level: base 4, α 1.5 → hardest (m = 0) 10, easiest (m = 1) 4.
    func testDefaultsGiveTenForTheHardestAndFourForTheEasiest() {
        let p = RolloutPolicy.defaults
        XCTAssertEqual(p.rollouts(normalisedMean: 0), 10)
        XCTAssertEqual(p.rollouts(normalisedMean: 1), 4)
        XCTAssertEqual(p.minimumRollouts, 4)
        XCTAssertEqual(p.maximumRollouts, 10)
        // 4 · (1 + 1.5 · 0.5) = 7; 4 · (1 + 1.5 · 0.75) = 8.5 → 9 (half away from zero);
        // 4 · (1 + 1.5 · 0.9) = 9.4 → 9.
        XCTAssertEqual(p.midpointRollouts, 7)
        XCTAssertEqual(p.rollouts(normalisedMean: 0.25), 9)
        XCTAssertEqual(p.rollouts(normalisedMean: 0.1), 9)
    }

    /// Means outside [0, 1] (which a caller passing raw means would produce) are clamped.
    func testCountsNeverLeaveTheBoundsForAnyMean() throws {
        for policy in [RolloutPolicy.defaults, try RolloutPolicy(base: 3, alpha: 0.7),
                       try RolloutPolicy(base: 8, alpha: 0)] {
            let upper = Int((Double(policy.base) * (1 + policy.alpha)).rounded(.up))
            for m in stride(from: -50.0, through: 50.0, by: 0.01) + [-1e300, 1e300, -.infinity, .infinity] {
                let r = policy.rollouts(normalisedMean: m)
                XCTAssertTrue((policy.base...upper).contains(r), "mean \(m) gave \(r)")
            }
        }
        // ceil(3 · 1.7) = ceil(5.1) = 6, reached only at the bottom: round(5.1) = 5.
        XCTAssertEqual(try RolloutPolicy(base: 3, alpha: 0.7).maximumRollouts, 6)
        XCTAssertEqual(try RolloutPolicy(base: 3, alpha: 0.7).rollouts(normalisedMean: 0), 5)
    }

    /// Acceptance 2, through the scheduler with rewards far outside [0, 1]: three tight clusters at
    /// −500, 100 and 700. Normalised means are 0, 600/1200 = 0.5 and 1, so counts are 10,
    /// 4 · (1 + 1.5 · 0.5) = 7, and 4.
    func testCountsForRewardsFarOutsideTheUnitInterval() throws {
        var scheduler = try DatasetScheduler(sampleCount: 60, config: SchedulerConfig(warmUpEpochs: 0), seed: 1)
        for i in 0..<60 {
            let reward: Double = i < 20 ? -500 : (i < 40 ? 100 : 700)
            try scheduler.record(sample: i, reward: reward, taskScore: 0)
        }
        let report = scheduler.endEpoch()
        XCTAssertEqual(report.buckets.map(\.rollouts), [10, 7, 4])
        XCTAssertEqual(scheduler.rollouts(for: 0), 10)
        XCTAssertEqual(scheduler.rollouts(for: 59), 4)
        for i in 0..<60 { XCTAssertTrue((4...10).contains(scheduler.rollouts(for: i))) }
    }

    func testRejectsBadSettings() throws {
        XCTAssertThrowsError(try RolloutPolicy(base: 0)) {
            XCTAssertEqual($0 as? CurriculumError,
                           .invalidConfiguration(field: "rollouts.base", expected: "at least 1", found: "0"))
        }
        XCTAssertThrowsError(try RolloutPolicy(alpha: -0.1))
        XCTAssertThrowsError(try RolloutPolicy(alpha: .nan))
        XCTAssertThrowsError(try RolloutPolicy(alpha: .infinity))
        let decoded = try JSONDecoder().decode(RolloutPolicy.self, from: Data(#"{"base": 2}"#.utf8))
        XCTAssertEqual(decoded, try RolloutPolicy(base: 2, alpha: 1.5))
        XCTAssertThrowsError(try JSONDecoder().decode(RolloutPolicy.self, from: Data(#"{"alpha": -1}"#.utf8)))
    }
}
