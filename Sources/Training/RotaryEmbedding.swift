import Compute

/// RoPE forward (Compute's `Rope`, shared with inference) beside its backward. A rotation's
/// transpose is the rotation by the opposite angle, so backward rotates the gradient back with the
/// very fp32 angles forward used (θ^(−2/D) stepped once per pair, as ggml and `Rope` do).
struct RotaryEmbedding {
    let rope: Rope

    /// Rotates x (heads, D) in place for position `pos`.
    func forward(_ x: UnsafeMutablePointer<Float>, heads: Int, position pos: Int) {
        rope.apply(x, heads: heads, position: pos)
    }

    /// Replaces dL/d(rotated) in dx (heads, D) by dL/d(unrotated), in place.
    func backward(_ dx: UnsafeMutablePointer<Float>, heads: Int, position pos: Int) {
        rope.apply(dx, heads: heads, position: pos, inverse: true)
    }
}
