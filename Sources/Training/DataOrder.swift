/// The order a trainer visits its examples in: a permutation per epoch drawn from the seed and the
/// epoch number, so a resumed run only needs its position in the stream.
struct DataOrder {
    let count: Int
    let seed: UInt64
    private var epoch = -1
    private var permutation: [Int] = []

    init(count: Int, seed: UInt64) {
        precondition(count > 0, "no examples to order")
        self.count = count
        self.seed = seed
    }

    /// The example index at `position` of the stream (position 0 is the first of epoch 0).
    mutating func index(at position: Int) -> Int {
        let e = position / count
        if e != epoch {
            var g = SplitMix64(seed: seed &+ UInt64(e) &* 0x9E37_79B9)
            permutation = Array(0..<count).shuffled(using: &g)
            epoch = e
        }
        return permutation[position % count]
    }
}
