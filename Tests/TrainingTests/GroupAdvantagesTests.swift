import Testing
@testable import Training

/// Group advantages against hand-computed values; the second group has zero spread.
struct GroupAdvantagesTests {
    static let rewards: [Double] = [1, 0, 0, 1, 2, 2, 2, 2]

    @Test func groupScaling() {
        let r = GroupAdvantages.compute(Self.rewards, groupSize: 4, scaling: .group, epsilon: 1e-4)
        // Group 1: mean 0.5, sample std √(4·0.25/3) = 0.57735027 → ±0.5/(0.57735027 + 1e-4) = ±0.86587543.
        let a = 0.86587543
        for (got, want) in zip(r.advantages, [a, -a, -a, a, 0, 0, 0, 0]) { #expect(abs(got - want) < 1e-7) }
        #expect(abs(r.groupStds[0] - 0.57735027) < 1e-7)
        #expect(r.groupStds[1] == 0)
        #expect(r.fractionZeroStd == 0.5)
    }

    @Test func noStdScalingIsDrGRPO() {
        let r = GroupAdvantages.compute(Self.rewards, groupSize: 4, scaling: .none, epsilon: 1e-4)
        #expect(r.advantages == [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0])
    }

    @Test func batchScalingIsTheOriginals() {
        let r = GroupAdvantages.compute(Self.rewards, groupSize: 4, scaling: .batch, epsilon: 1e-4)
        // Batch mean 1.25; Σ(r − 1.25)² = 0.0625·2 + 1.5625·2 + 0.5625·4 = 5.5; std √(5.5/7) = 0.88640526.
        // (1 − 1.25)/0.88650526 = −0.28200622, (0 − 1.25)/… = −1.41003111, (2 − 1.25)/… = 0.84601867.
        let want = [-0.28200622, -1.41003111, -1.41003111, -0.28200622, 0.84601867, 0.84601867, 0.84601867, 0.84601867]
        for (got, w) in zip(r.advantages, want) { #expect(abs(got - w) < 1e-7) }
    }

    @Test func aGroupOfOneHasNoSpreadAndNoNaN() {
        let r = GroupAdvantages.compute([3, 5], groupSize: 1, scaling: .group, epsilon: 1e-4)
        #expect(r.advantages == [0, 0])
        #expect(r.fractionZeroStd == 1)
    }
}
