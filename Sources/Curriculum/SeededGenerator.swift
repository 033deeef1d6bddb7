/// A small, fast, deterministic pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018,
/// "Scrambled linear pseudorandom number generators"), with its 256-bit state filled from the seed
/// by SplitMix64 as the authors recommend.
///
/// Every shuffle in the curriculum draws from one of these, never from a global source, so a run is
/// reproduced exactly by its seed. The shuffle and the bounded-integer draw are implemented here
/// rather than taken from the standard library, whose algorithms are not promised to stay the same
/// across Swift releases.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator for `seed`, optionally on a separate `stream`.
    ///
    /// Different streams of the same seed give unrelated sequences; the scheduler uses the epoch
    /// number as the stream so that the batches of any epoch can be rebuilt on their own.
    /// - Parameters:
    ///   - seed: any 64-bit value, 0 included.
    ///   - stream: a sub-sequence selector; 0 by default.
    public init(seed: UInt64, stream: UInt64 = 0) {
        // Mix the stream through SplitMix64 first so that (seed, stream) pairs with equal sums or
        // xors do not collide.
        var streamState = stream
        var mixer = seed ^ SeededGenerator.splitMix64(&streamState)
        s0 = SeededGenerator.splitMix64(&mixer)
        s1 = SeededGenerator.splitMix64(&mixer)
        s2 = SeededGenerator.splitMix64(&mixer)
        s3 = SeededGenerator.splitMix64(&mixer)
        // An all-zero state would stay zero forever; SplitMix64 cannot produce four zeros in a
        // row, but the invariant is cheap to check.
        assert(s0 | s1 | s2 | s3 != 0)
    }

    /// The next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform double in [0, 1), built from the top 53 bits so every value is a multiple of 2⁻⁵³.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0 ..< bound`, without modulo bias (Lemire, 2019, "Fast random integer
    /// generation in an interval": multiply-shift with rejection of the short residue class).
    /// - Parameter bound: exclusive upper bound; must be at least 1.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound >= 1, "nextInt(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place (Fisher–Yates, from the last position down).
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { elements.swapAt(i, j) }
        }
    }

    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
