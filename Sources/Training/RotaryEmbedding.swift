import Compute
import Foundation

/// RoPE forward (Compute's `Rope`, shared with inference) beside its backward. A rotation's
/// transpose is the rotation by the opposite angle, so backward rotates the gradient back with the
/// very fp32 angles forward used (θ^(−2/D) stepped once per pair, as ggml and `Rope` do).
struct RotaryEmbedding {
    let rope: Rope
    let theta: Double

    /// Rotates x (heads, D) in place for position `pos`.
    func forward(_ x: UnsafeMutablePointer<Float>, heads: Int, position pos: Int) {
        rope.apply(x, heads: heads, position: pos)
    }

    /// Replaces dL/d(rotated) in dx (heads, D) by dL/d(unrotated), in place.
    func backward(_ dx: UnsafeMutablePointer<Float>, heads: Int, position pos: Int) {
        let dim = rope.dim, half = dim / 2
        let step = Foundation.pow(Float(theta), -2 / Float(dim))
        withUnsafeTemporaryAllocation(of: Float.self, capacity: dim) { table in
            var angle = Float(pos)
            for i in 0..<half {
                table[i] = Foundation.cos(angle)
                table[half + i] = Foundation.sin(angle)
                angle *= step
            }
            for h in 0..<heads {
                let v = dx + h * dim
                for i in 0..<half {
                    let (a, b) = rope.pairing == .neox ? (i, i + half) : (2 * i, 2 * i + 1)
                    let g0 = v[a], g1 = v[b], c = table[i], s = table[half + i]
                    v[a] = g0 * c + g1 * s
                    v[b] = -g0 * s + g1 * c
                }
            }
        }
    }
}
