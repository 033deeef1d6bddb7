import Foundation
import XCTest
@testable import Curriculum

final class RewardTrackerTests: XCTestCase {
    /// Acceptance 3: three epochs by hand, decay d = 0.7, update ema ← 0.7 · ema + 0.3 · m.
    ///
    /// Composite rewards recorded (m = the epoch's mean per sample):
    ///   sample 0: e1 {1.0, 0.0} m 0.5   e2 {1.0} m 1.0          e3 {0.0} m 0.0
    ///   sample 1: e1 {−2.0}      m −2.0  e2 —                     e3 {−1.0} m −1.0
    ///   sample 2: e1 —                   e2 {0.9} m 0.9           e3 —
    ///   sample 3: e1 {0.4, 0.6, 0.8} m 0.6  e2 {0.0, 0.2} m 0.1   e3 {1.0} m 1.0
    ///   sample 4: never recorded
    /// Hand arithmetic:
    ///   after e1: s0 = 0.5 (first observation replaces), s1 = −2.0, s2 unseen, s3 = 0.6, s4 unseen
    ///   after e2: s0 = 0.7·0.5 + 0.3·1.0 = 0.35 + 0.30 = 0.65
    ///             s1 = −2.0 (missing this epoch: unchanged)
    ///             s2 = 0.9 (first observation)
    ///             s3 = 0.7·0.6 + 0.3·0.1 = 0.42 + 0.03 = 0.45
    ///   after e3: s0 = 0.7·0.65 + 0.3·0.0 = 0.455
    ///             s1 = 0.7·(−2.0) + 0.3·(−1.0) = −1.4 − 0.3 = −1.7
    ///             s2 = 0.9 (missing: unchanged)
    ///             s3 = 0.7·0.45 + 0.3·1.0 = 0.315 + 0.300 = 0.615
    ///             s4 unseen (nil, not 0.5)
    /// Task scores: sample 0 scores 1, 0 | 1 | 1 → e1 m 0.5 → 0.5; e2 m 1 → 0.65; e3 m 1 → 0.7·0.65 + 0.3 = 0.755.
    /// All others score 0 whenever recorded → 0.
    func testThreeEpochsMatchHandComputation() throws {
        var t = try RewardTracker(sampleCount: 5, decay: 0.7)
        func epoch(_ rewards: [(Int, Double, Double)]) throws {
            for (s, r, score) in rewards { try t.record(sample: s, reward: r, taskScore: score) }
            t.endEpoch()
        }
        try epoch([(0, 1.0, 1), (0, 0.0, 0), (1, -2.0, 0), (3, 0.4, 0), (3, 0.6, 0), (3, 0.8, 0)])
        assertAverages(t, [0.5, -2.0, nil, 0.6, nil])
        try epoch([(0, 1.0, 1), (2, 0.9, 0), (3, 0.0, 0), (3, 0.2, 0)])
        assertAverages(t, [0.65, -2.0, 0.9, 0.45, nil])
        try epoch([(0, 0.0, 1), (1, -1.0, 0), (3, 1.0, 0)])
        assertAverages(t, [0.455, -1.7, 0.9, 0.615, nil])
        XCTAssertEqual(t.average(of: 0, .taskScore)!, 0.755, accuracy: 1e-12)
        XCTAssertEqual(t.averages(.taskScore).compactMap { $0 }.dropFirst(), [0, 0, 0])
        XCTAssertEqual(t.completedEpochs, 3)
        XCTAssertEqual(t.seenCount, 4)
    }

    private func assertAverages(_ t: RewardTracker, _ expected: [Double?], line: UInt = #line) {
        let found = t.averages(.compositeReward)
        XCTAssertEqual(found.count, expected.count, line: line)
        for (i, (f, e)) in zip(found, expected).enumerated() {
            switch (f, e) {
            case let (f?, e?): XCTAssertEqual(f, e, accuracy: 1e-12, "sample \(i)", line: line)
            case (nil, nil): break
            default: XCTFail("sample \(i): found \(String(describing: f)), expected \(String(describing: e))", line: line)
            }
        }
    }

    func testPendingRolloutsAreCountedAndCleared() throws {
        var t = try RewardTracker(sampleCount: 2)
        try t.record(sample: 1, reward: 0, taskScore: 0)
        try t.record(sample: 1, reward: 1, taskScore: 1)
        XCTAssertEqual(t.pendingRollouts(of: 1), 2)
        XCTAssertNil(t.average(of: 1, .compositeReward), "an unfinished epoch does not count yet")
        t.endEpoch()
        XCTAssertEqual(t.pendingRollouts(of: 1), 0)
        XCTAssertEqual(t.average(of: 1, .compositeReward), 0.5)
    }

    func testRejectsNonFiniteRewardsAndBadIndices() throws {
        var t = try RewardTracker(sampleCount: 3)
        XCTAssertThrowsError(try t.record(sample: 0, reward: .nan, taskScore: 1)) {
            XCTAssertEqual($0 as? CurriculumError, .nonFiniteValue(field: "reward", sample: 0, found: "nan"))
        }
        XCTAssertThrowsError(try t.record(sample: 2, reward: 0, taskScore: -.infinity)) {
            XCTAssertEqual($0 as? CurriculumError, .nonFiniteValue(field: "taskScore", sample: 2, found: "-inf"))
        }
        XCTAssertThrowsError(try t.record(sample: 3, reward: 0, taskScore: 0)) {
            XCTAssertEqual($0 as? CurriculumError, .sampleOutOfRange(sample: 3, sampleCount: 3))
        }
        XCTAssertThrowsError(try t.record(sample: -1, reward: 0, taskScore: 0))
        XCTAssertEqual(t.pendingRollouts(of: 0), 0, "a rejected value leaves no trace")
        for decay in [0.0, 1.0, -0.5, 1.5, .nan] {
            XCTAssertThrowsError(try RewardTracker(sampleCount: 3, decay: decay), "decay \(decay)")
        }
        XCTAssertThrowsError(try RewardTracker(sampleCount: 0))
    }

    func testCodableRoundTripKeepsStateAndValidates() throws {
        var t = try RewardTracker(sampleCount: 3, decay: 0.6)
        try t.record(sample: 0, reward: -1.5, taskScore: 0)
        t.endEpoch()
        try t.record(sample: 2, reward: 0.25, taskScore: 1)  // pending, not yet folded in
        let data = try JSONEncoder().encode(t)
        var back = try JSONDecoder().decode(RewardTracker.self, from: data)
        XCTAssertEqual(back, t)
        back.endEpoch()
        XCTAssertEqual(back.average(of: 2, .compositeReward), 0.25)
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"decay\":0.6", with: "\"decay\":1")
        XCTAssertNotEqual(text, String(decoding: data, as: UTF8.self))
        XCTAssertThrowsError(try JSONDecoder().decode(RewardTracker.self, from: Data(text.utf8)))
    }
}
