import Testing
import Tasks

struct WilsonIntervalTests {
    /// k = 68, n = 100 by hand: p = 0.68, z² = 3.841459, z²/n = 0.0384146, 1 + z²/n = 1.0384146;
    /// centre = (0.68 + 0.0192073) / 1.0384146 = 0.673341; p(1−p)/n = 0.002176, z²/(4n²) =
    /// 0.0000960, √0.0022720 = 0.0476654, half = 1.959964 · 0.0476654 / 1.0384146 = 0.089967;
    /// bounds 0.583374 and 0.763309. The hand arithmetic carries 6 digits: tolerance 2e-6.
    @Test func matchesTheHandComputedInterval() throws {
        let w = try #require(WilsonInterval(successes: 68, trials: 100))
        #expect(abs(w.lower - 0.583374) < 2e-6)
        #expect(abs(w.upper - 0.763309) < 2e-6)
        #expect(w.proportion == 0.68)
        #expect(w.description == "68/100 = 68.0 % (95 % CI 58.3–76.3 %)")
    }

    /// At k = 0 the formula reduces to [0, z²/(n + z²)] and at k = n to [n/(n + z²), 1].
    @Test func edgesAreExactAndClosedForm() throws {
        let z2 = WilsonInterval.z95 * WilsonInterval.z95
        for n in [1, 2, 10, 100] {
            let none = try #require(WilsonInterval(successes: 0, trials: n))
            #expect(none.lower == 0)
            #expect(abs(none.upper - z2 / (Double(n) + z2)) < 1e-12)
            let all = try #require(WilsonInterval(successes: n, trials: n))
            #expect(all.upper == 1)
            #expect(abs(all.lower - Double(n) / (Double(n) + z2)) < 1e-12)
        }
        // n = 10, k = 0: z²/(10 + z²) = 3.841459 / 13.841459 = 0.277533.
        #expect(abs(WilsonInterval(successes: 0, trials: 10)!.upper - 0.277533) < 1e-6)
    }

    @Test func noTrialsGiveNoInterval() {
        #expect(WilsonInterval(successes: 0, trials: 0) == nil)
    }

    /// k successes and n − k failures give mirror-image intervals; wider z gives a wider interval.
    @Test func symmetryAndMonotonicity() throws {
        for (k, n) in [(1, 2), (3, 17), (83, 100)] {
            let a = try #require(WilsonInterval(successes: k, trials: n))
            let b = try #require(WilsonInterval(successes: n - k, trials: n))
            #expect(abs(a.lower - (1 - b.upper)) < 1e-12)
            #expect(abs(a.upper - (1 - b.lower)) < 1e-12)
            #expect(a.lower < a.proportion && a.proportion < a.upper)
            let wide = try #require(WilsonInterval(successes: k, trials: n, z: 2.575829))
            #expect(wide.lower < a.lower && wide.upper > a.upper)
            #expect(wide.description.contains("CI at z = 2.575829"))
        }
    }
}
