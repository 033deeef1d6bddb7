import XCTest
@testable import Curriculum

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedSameSequenceDifferentSeedOrStreamDifferent() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        var d = SeededGenerator(seed: 42, stream: 1)
        let sa = (0..<16).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<16).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<16).map { _ in c.next() })
        XCTAssertNotEqual(sa, (0..<16).map { _ in d.next() })
        var zero = SeededGenerator(seed: 0)
        XCTAssertNotEqual((0..<4).map { _ in zero.next() }, [0, 0, 0, 0])
    }

    func testUnitDoublesAndBoundedIntegersStayInRange() {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<10_000 {
            let u = g.nextUnitDouble()
            XCTAssertTrue(u >= 0 && u < 1)
        }
        for bound in [1, 2, 3, 7, 1000, Int.max] {
            for _ in 0..<1000 {
                let x = g.nextInt(below: bound)
                XCTAssertTrue(x >= 0 && x < bound)
            }
        }
    }

    /// 60 000 draws below 6: each count has expectation 10 000 and standard deviation ≈ 91, so
    /// ±500 (more than 5 σ) fails only for a biased draw. The mean of 100 000 unit doubles has
    /// standard deviation ≈ 0.0009; ±0.005 is more than 5 σ.
    func testDrawsAreUniform() {
        var g = SeededGenerator(seed: 11)
        var counts = Array(repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[g.nextInt(below: 6)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
        let mean = (0..<100_000).reduce(0.0) { s, _ in s + g.nextUnitDouble() } / 100_000
        XCTAssertEqual(mean, 0.5, accuracy: 0.005)
    }

    /// A shuffle is a permutation, is reproducible, and puts element 0 in each of 4 positions about
    /// equally often (40 000 shuffles: 10 000 expected each, σ ≈ 87, tolerance 500).
    func testShuffleIsAUniformReproduciblePermutation() {
        var g = SeededGenerator(seed: 3)
        var a = Array(0..<50)
        g.shuffle(&a)
        XCTAssertEqual(a.sorted(), Array(0..<50))
        XCTAssertNotEqual(a, Array(0..<50))
        var h = SeededGenerator(seed: 3)
        var b = Array(0..<50)
        h.shuffle(&b)
        XCTAssertEqual(a, b)
        var position = Array(repeating: 0, count: 4)
        for _ in 0..<40_000 {
            var x = [0, 1, 2, 3]
            g.shuffle(&x)
            position[x.firstIndex(of: 0)!] += 1
        }
        for p in position { XCTAssertEqual(Double(p), 10_000, accuracy: 500) }
        var empty: [Int] = []
        g.shuffle(&empty)
        XCTAssertEqual(empty, [])
    }
}
