import XCTest
@testable import Curriculum

final class ClusterReportTextTests: XCTestCase {
    typealias C = TestSamples.Component

    /// A fixed-seed scheduler: 48 samples from clusters near −4, −2 and −0.5 (10 / 19 / 19), two
    /// more never recorded, one warm-up epoch and one bucketed epoch.
    private func scheduler() throws -> DatasetScheduler {
        let raw = TestSamples.mixture([C(weight: 10.0 / 48, mean: -4, std: 0.15), C(weight: 19.0 / 48, mean: -2, std: 0.15),
                                       C(weight: 19.0 / 48, mean: -0.5, std: 0.15)], n: 48, seed: 2024)
        var s = try DatasetScheduler(sampleCount: 50, config: SchedulerConfig(), seed: 2024)
        var noise = SeededGenerator(seed: 7)
        for _ in 0..<2 {
            for (i, r) in raw.enumerated() {
                for _ in 0..<2 { try s.record(sample: i, reward: r + 0.1 * TestSamples.gaussian(&noise), taskScore: 0) }
            }
            s.endEpoch()
        }
        return s
    }

    /// Acceptance 4 (text half). The snapshot below was checked by hand against the numbers it
    /// shows, not just copied from the output:
    /// - global mean: (10 · −4.070 + 19 · −1.958 + 19 · −0.487) / 48 = −1.816;
    /// - boundaries lie between the clusters, the first nearer the smaller cluster (−3.135 vs the
    ///   midpoint −3.01), the second near the midpoint of two equal clusters (−1.230 vs −1.22);
    /// - normalised bucket means (mean − min) / 3.877 = 0.033, 0.578, 0.957 → rollouts
    ///   round(4 · (1 + 1.5 · 0.967)) = round(9.80) = 10, round(6.54) = 7, round(4.26) = 4;
    ///   their population std is 0.379 (the spread);
    /// - shares 10/48 = 20.8 %, 19/48 = 39.6 %; balance −Σ p ln p / ln 3 = 1.0605 / 1.0986 = 0.97;
    /// - IQR tracks: cell = round((v − low) / (high − low) · 23), e.g. bucket 1: p25 → 12.7 → 13,
    ///   median → 14.5 → 15, p75 → 15.7 → 16, i.e. 13 dots, "──┼─", 7 dots;
    /// - histograms: 20 bins over each bucket's range; bucket 2 holds the global maximum, so its
    ///   last bin is non-empty.
    /// If a deliberate change to the layout alters it, re-check the new text the same way.
    func testSnapshot() throws {
        XCTAssertEqual(try scheduler().report().text, Self.snapshot)
    }

    /// A rendering without buckets states the uniform rollout count.
    func testWarmUpRendering() throws {
        let s = try DatasetScheduler(sampleCount: 3, config: SchedulerConfig(), seed: 1)
        XCTAssertEqual(s.report().text, """
            ── epoch 0 cluster report · signal compositeReward ─────────────────────
            samples 3  seen 0  unseen 3
            global  no sample seen yet
            no buckets (warm-up or nothing seen): every sample gets 7 rollouts
            ────────────────────────────────────────────────────────────────────────
            """)
    }

    func testSameSeedSameTextAndJSON() throws {
        XCTAssertEqual(try scheduler().report().text, try scheduler().report().text)
        XCTAssertEqual(try scheduler().report().json(), try scheduler().report().json())
    }

    static let snapshot = """
        ── epoch 2 cluster report · signal compositeReward ─────────────────────
        samples 50  seen 48  unseen 2
        global  mean -1.816  std 1.336  min -4.197  max -0.320
        boundaries  -3.135 | -1.230
        health  spread of bucket means 0.379 (normalised)  size balance 0.97 (1 = equal)
        unseen  2 samples, 7 rollouts each, batched together
        ────────────────────────────────────────────────────────────────────────
        bucket 0  hard    [-4.197, -3.135]  n 10 (20.8%)  rollouts 10
          mean -4.070 ± 0.123  median -4.094
          IQR  [·─┼─····················]  p25 -4.165  p75 -4.044
          hist [█▅▅▃▃   ▃           ]
        bucket 1  medium  [-3.135, -1.230]  n 19 (39.6%)  rollouts 7
          mean -1.958 ± 0.168  median -1.933
          IQR  [·············──┼─·······]  p25 -2.083  p75 -1.831
          hist [         ▆▄▆▆▆█▂    ]
        bucket 2  easy    [-1.230, -0.320]  n 19 (39.6%)  rollouts 4
          mean -0.487 ± 0.120  median -0.486
          IQR  [················───┼───·]  p25 -0.593  p75 -0.366
          hist [           ▂▃▃▃▂▆ ▃█]
        ────────────────────────────────────────────────────────────────────────
        """
}
