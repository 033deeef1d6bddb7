import Foundation
import XCTest
@testable import Curriculum

final class ClusterReportTests: XCTestCase {
    typealias C = TestSamples.Component

    /// Three point clusters: 8 samples at 0.0, 16 at 0.5, 16 at 1.0, plus one unseen sample.
    /// By hand: normalised means 0, 0.5, 1 → rollouts 10, 7, 4; shares 0.2, 0.4, 0.4;
    /// spread = population std of {0, 0.5, 1} = √(1/6) = 0.408248;
    /// balance = −(0.2 ln 0.2 + 2 · 0.4 ln 0.4) / ln 3 = (0.321888 + 0.733033) / 1.098612 = 0.960230.
    func testMetricsOfPointClustersByHand() throws {
        let values: [Double?] = Array(repeating: 0.0, count: 8) + Array(repeating: 0.5, count: 16)
            + Array(repeating: 1.0, count: 16) + [nil]
        let plan = try EpochPlan(values: values, bucketizer: ValleyBucketizer(config: .defaults),
                                 policy: .defaults, uniformRollouts: 7)
        let r = ClusterReport(epoch: 3, signal: .compositeReward, values: values, plan: plan)
        XCTAssertEqual(r.sampleCount, 41)
        XCTAssertEqual(r.unseenCount, 1)
        XCTAssertEqual(r.unassignedCount, 1)
        XCTAssertEqual(r.buckets.map(\.label), [.hard, .medium, .easy])
        XCTAssertEqual(r.buckets.map(\.rollouts), [10, 7, 4])
        XCTAssertEqual(r.buckets.map(\.statistics.count), [8, 16, 16])
        XCTAssertEqual(r.buckets.map(\.share), [0.2, 0.4, 0.4])
        XCTAssertEqual(r.health.meanSpread, 0.408248, accuracy: 1e-6)
        XCTAssertEqual(r.health.sizeBalance, 0.960230, accuracy: 1e-6)
        XCTAssertEqual(r.boundaries.count, 2)
        XCTAssertTrue(r.boundaries[0] > 0 && r.boundaries[0] < 0.5 && r.boundaries[1] > 0.5 && r.boundaries[1] < 1)
        XCTAssertEqual(r.buckets[0].rawLow, 0)
        XCTAssertEqual(r.buckets[0].rawHigh, r.boundaries[0])
        XCTAssertEqual(r.buckets[2].rawHigh, 1)
        // Global statistics over the 40 seen values: mean (8·0 + 16·0.5 + 16·1) / 40 = 0.6.
        XCTAssertEqual(r.global!.mean, 0.6, accuracy: 1e-15)
        XCTAssertEqual(r.global!.median, 0.5)
        // Histograms: bucket 0's members sit on its lower edge (bin 0), bucket 2's on its upper
        // edge (last bin), bucket 1's in the bin that 0.5 falls in.
        XCTAssertEqual(r.buckets[0].histogram[0], 8)
        XCTAssertEqual(r.buckets[2].histogram[ClusterReport.histogramBins - 1], 16)
        let bin = Int((0.5 - r.boundaries[0]) / (r.boundaries[1] - r.boundaries[0]) * 20)
        XCTAssertEqual(r.buckets[1].histogram[bin], 16)
        XCTAssertEqual(r.buckets[1].histogram.reduce(0, +), 16)
    }

    /// Acceptance 4 (JSON half): the JSON decodes to the report, and its per-bucket numbers equal
    /// statistics recomputed here directly from the tracked values and bucket assignment.
    func testJSONDecodesToTheComputedMetrics() throws {
        let raw = TestSamples.mixture([C(weight: 0.1, mean: -4, std: 0.3), C(weight: 0.45, mean: -2, std: 0.3),
                                       C(weight: 0.45, mean: -0.5, std: 0.3)], n: 300, seed: 17)
        var s = try DatasetScheduler(sampleCount: raw.count, config: SchedulerConfig(warmUpEpochs: 0), seed: 4)
        for (i, r) in raw.enumerated() { try s.record(sample: i, reward: r, taskScore: 0) }
        let report = s.endEpoch()
        let decoded = try JSONDecoder().decode(ClusterReport.self, from: Data(try report.json().utf8))
        XCTAssertEqual(decoded, report)
        XCTAssertEqual(decoded.buckets.count, 3)
        XCTAssertEqual(decoded.global!.mean, raw.reduce(0, +) / 300, accuracy: 1e-12)
        for bucket in decoded.buckets {
            let members = raw.indices.filter { s.plan.sampleBuckets[$0] == bucket.index }.map { raw[$0] }.sorted()
            let n = Double(members.count)
            let mean = members.reduce(0, +) / n
            let std = (members.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            let median = members.count % 2 == 1 ? members[members.count / 2]
                : 0.5 * (members[members.count / 2 - 1] + members[members.count / 2])
            XCTAssertEqual(bucket.statistics.count, members.count)
            XCTAssertEqual(bucket.share, n / 300, accuracy: 1e-15)
            XCTAssertEqual(bucket.statistics.mean, mean, accuracy: 1e-12)
            XCTAssertEqual(bucket.statistics.std, std, accuracy: 1e-12)
            XCTAssertEqual(bucket.statistics.median, median, accuracy: 1e-12)
            XCTAssertEqual(bucket.statistics.minimum, members.first!)
            XCTAssertEqual(bucket.statistics.maximum, members.last!)
            let lo = raw.min()!, hi = raw.max()!
            XCTAssertEqual(bucket.normalisedMean, (mean - lo) / (hi - lo), accuracy: 1e-12)
            XCTAssertEqual(bucket.rollouts, s.config.rollouts.rollouts(normalisedMean: bucket.normalisedMean))
            XCTAssertEqual(bucket.histogram.reduce(0, +), members.count)
        }
        XCTAssertEqual(decoded.buckets.map(\.statistics.count).reduce(0, +), 300)
    }

    func testReportWithoutBucketsIsWellFormed() throws {
        let plan = EpochPlan(uniformFor: 3, rollouts: 7)
        let r = ClusterReport(epoch: 0, signal: .taskScore, values: [nil, nil, nil], plan: plan)
        XCTAssertNil(r.global)
        XCTAssertTrue(r.buckets.isEmpty)
        XCTAssertEqual(r.health, ClusterHealth(meanSpread: 0, sizeBalance: 1))
        XCTAssertEqual(try JSONDecoder().decode(ClusterReport.self, from: Data(try r.json().utf8)), r)
    }

    /// Very uneven sizes give a balance near 0, never below: shares 0.01, 0.01, 0.98 →
    /// −(2 · 0.01 ln 0.01 + 0.98 ln 0.98) / ln 3 = (0.092103 + 0.019799) / 1.098612 = 0.101858.
    func testBalanceStaysInUnitInterval() {
        func bucket(_ share: Double, _ mean: Double) -> BucketReport {
            BucketReport(index: 0, label: .medium, rawLow: 0, rawHigh: 1, share: share, rollouts: 4,
                         normalisedMean: mean, statistics: SummaryStatistics([mean]), histogram: [])
        }
        let h = ClusterReport.health(of: [bucket(0.01, 0), bucket(0.01, 0.5), bucket(0.98, 1)])
        XCTAssertEqual(h.sizeBalance, 0.101858, accuracy: 1e-6)
        XCTAssertEqual(ClusterReport.health(of: [bucket(1, 0.3)]), ClusterHealth(meanSpread: 0, sizeBalance: 1))
    }
}
