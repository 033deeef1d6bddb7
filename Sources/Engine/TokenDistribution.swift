import Foundation

/// A probability distribution over the vocabulary, dense, in Double: the distribution a token is
/// sampled from after temperature, top-k and top-p have been applied to a row of logits.
public struct TokenDistribution: Sendable, Equatable {
    /// (V) probabilities summing to 1; tokens cut by top-k/top-p are exactly 0.
    public var probabilities: [Double]

    public init(probabilities: [Double]) { self.probabilities = probabilities }

    /// softmax(logits / temperature), restricted to the `topK` most likely tokens (ties at the
    /// threshold are kept) and then to the smallest most-likely set whose mass reaches `topP`
    /// (the order of the two filters is vLLM's), renormalised.
    /// - Precondition: temperature > 0.
    public init<C: Collection>(logits: C, temperature: Double, topK: Int = 0, topP: Double = 1) where C.Element == Float {
        precondition(temperature > 0)
        let V = logits.count
        var p = [Double](repeating: 0, count: V)
        var m = -Double.infinity
        for v in logits { m = max(m, Double(v)) }
        var i = 0, sum = 0.0
        for v in logits {
            let e = Foundation.exp((Double(v) - m) / temperature)
            p[i] = e
            sum += e
            i += 1
        }
        if topK > 0 && topK < V {
            var sorted = p
            sorted.sort(by: >)
            let threshold = sorted[topK - 1]
            sum = 0
            for j in 0..<V {
                if p[j] < threshold { p[j] = 0 } else { sum += p[j] }
            }
        }
        for j in 0..<V { p[j] /= sum }
        if topP < 1 {
            // The nucleus lies inside any top set {p ≥ t} whose mass already reaches topP, so only
            // that set is sorted (lowering t fourfold until it qualifies), not the whole vocabulary.
            var t = p.max()!, mass = 0.0
            repeat {
                t /= 4
                mass = 0
                for x in p where x >= t { mass += x }
            } while mass < topP && t > 0
            let order = (0..<V).filter { p[$0] > 0 && p[$0] >= t }.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }
            var keep = 0
            mass = 0
            while keep < order.count {
                mass += p[order[keep]]
                keep += 1
                if mass >= topP { break }
            }
            var nucleus = [Double](repeating: 0, count: V)
            for j in order[..<keep] { nucleus[j] = p[j] / mass }
            p = nucleus
        }
        probabilities = p
    }

    /// A point mass on `token` (the implied draft distribution of a proposer without one).
    public static func pointMass(_ token: Int32, vocabularySize: Int) -> TokenDistribution {
        var p = [Double](repeating: 0, count: vocabularySize)
        p[Int(token)] = 1
        return TokenDistribution(probabilities: p)
    }

    public subscript(token: Int32) -> Double { probabilities[Int(token)] }

    public func logProbability(_ token: Int32) -> Double { Foundation.log(probabilities[Int(token)]) }

    /// Inverse-CDF draw with one uniform number: deterministic given the generator's state.
    public func sample(_ rng: inout RandomSource) -> Int32 {
        Self.sample(probabilities, total: 1, &rng)
    }

    /// Draws from unnormalised non-negative weights summing to `total`.
    static func sample(_ weights: [Double], total: Double, _ rng: inout RandomSource) -> Int32 {
        let u = rng.uniform() * total
        var cumulative = 0.0, last = 0
        for (j, w) in weights.enumerated() where w > 0 {
            cumulative += w
            last = j
            if u < cumulative { return Int32(j) }
        }
        return Int32(last)  // rounding left u just past the final sum
    }
}
