/// A projection y = x Wᵀ + b + s · (drop(x) Aᵀ) Bᵀ, forward beside backward.
/// Legend: N rows (tokens), K inputs, M outputs, r LoRA rank, s = alpha / r.

/// What the LoRA branch of one projection saves for backward.
final class LoRASaved {
    /// (N, r) u = drop(x) Aᵀ.
    var u: FloatBuffer
    /// (N, K) drop(x), only with dropout.
    var dropped: FloatBuffer?
    /// (N, K) keep mask scaled by 1 / (1 − p), only with dropout.
    var mask: FloatBuffer?

    init(rows n: Int, rank: Int) { u = FloatBuffer(count: n * rank) }
}

enum Linear {
    /// - Parameters:
    ///   - y: (N, M) output, overwritten.
    ///   - x: (N, K) input, kept alive by the caller until backward.
    ///   - rng: draws the dropout mask when the adapter has dropout and `training` is true.
    static func forward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, n: Int, _ l: LinearRef,
                        _ model: TrainableModel, saved: inout LoRASaved?, training: Bool, rng: inout SplitMix64) {
        let M = l.rows, K = l.cols
        model.source(l.weight, rows: M, cols: K).forward(y, x, n: n)
        if let b = l.bias {
            let bp = model.pointer(b)
            for t in 0..<n { for j in 0..<M { y[t * M + j] += bp[j] } }
        }
        guard let a = l.lora else { return }
        let r = a.rank
        let s = saved ?? LoRASaved(rows: n, rank: r)
        if s.u.count != n * r { s.u = FloatBuffer(count: n * r) }
        var input = x
        if training && a.dropout > 0 {
            let mask = FloatBuffer(count: n * K), dropped = FloatBuffer(count: n * K)
            let keep = 1 / (1 - a.dropout)
            for i in 0..<n * K {
                let m: Float = rng.nextUnit() < a.dropout ? 0 : keep
                mask[i] = m
                dropped[i] = x[i] * m
            }
            s.mask = mask; s.dropped = dropped
            input = UnsafePointer(dropped.pointer)
        } else {
            s.mask = nil; s.dropped = nil
        }
        let A = model.parameters.pointer + a.a, B = model.parameters.pointer + a.b
        Gemm.run(transB: true, m: n, n: r, k: K, input, lda: K, A, ldb: K, beta: 0, s.u.pointer, ldc: r)
        Gemm.run(transB: true, m: n, n: M, k: r, alpha: a.scale, s.u.pointer, lda: r, B, ldb: r, beta: 1, y, ldc: M)
        saved = s
    }

    /// Adds dL/dx into `dx` (N, K) and dL/d(trainable parameters) into the model's gradients.
    /// - Parameters: dy (N, M) upstream gradient; x (N, K) the forward input.
    static func backward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int,
                         _ l: LinearRef, _ model: TrainableModel, saved: LoRASaved?) {
        let M = l.rows, K = l.cols
        model.source(l.weight, rows: M, cols: K).backwardInput(dx, dy, n: n)
        if let dw = model.gradient(l.weight) {
            accumulateWeightGradient(dw, dy, x, n: n, m: M, k: K)
        }
        if let b = l.bias, let db = model.gradient(b) {
            for t in 0..<n { for j in 0..<M { db[j] += dy[t * M + j] } }
        }
        guard let a = l.lora, let s = saved else { return }
        let r = a.rank
        let A = model.parameters.pointer + a.a, B = model.parameters.pointer + a.b
        let dA = model.gradients.pointer + a.a, dB = model.gradients.pointer + a.b
        let input = s.dropped.map { UnsafePointer($0.pointer) } ?? x
        // dB (M, r) += s · dyᵀ u
        accumulateWeightGradient(dB, dy, s.u.pointer, n: n, m: M, k: r, alpha: a.scale)
        // du (N, r) = s · dy B
        let du = FloatBuffer(count: n * r)
        Gemm.run(m: n, n: r, k: M, alpha: a.scale, dy, lda: M, B, ldb: r, beta: 0, du.pointer, ldc: r)
        // dA (r, K) += duᵀ drop(x)
        accumulateWeightGradient(dA, du.pointer, input, n: n, m: r, k: K)
        // dx += (du A) ⊙ mask
        if let mask = s.mask {
            let dd = FloatBuffer(count: n * K)
            Gemm.run(m: n, n: K, k: r, du.pointer, lda: r, A, ldb: K, beta: 0, dd.pointer, ldc: K)
            for i in 0..<n * K { dx[i] += dd[i] * mask[i] }
        } else {
            Gemm.run(m: n, n: K, k: r, du.pointer, lda: r, A, ldb: K, beta: 1, dx, ldc: K)
        }
    }
}
