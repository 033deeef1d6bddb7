import Compute
import Foundation
import Transformer

/// The sequences of a packed batch: sequence s holds tokens start[s] ..< start[s] + length[s] of
/// the (T, ·) activation rows, at positions 0 ..< length[s].
struct PackedSequences {
    let starts: [Int]
    let lengths: [Int]
    var tokenCount: Int { (starts.last ?? 0) + (lengths.last ?? 0) }

    init(lengths: [Int]) {
        self.lengths = lengths
        var s: [Int] = [], t = 0
        for l in lengths { s.append(t); t += l }
        starts = s
    }

    /// Offset of sequence s's attention probabilities (H, L, L) in the probability buffer, and the total.
    func probabilityOffsets(heads: Int) -> (offsets: [Int], total: Int) {
        var o: [Int] = [], n = 0
        for l in lengths { o.append(n); n += heads * l * l }
        return (o, n)
    }
}

/// Causal grouped-query attention, forward beside backward: query head h reads key/value head
/// h / (H / Hkv); scores S = Q Kᵀ / √D, P = softmax over positions ≤ i, O = P V.
/// Legend: T tokens, L one sequence's length, H / Hkv heads, D head dim, Q = H·D, KV = Hkv·D.
enum CausalAttention {
    /// - Parameters:
    ///   - out: (T, Q) attention output, overwritten.
    ///   - probs: (Σ_s H·L_s²) softmax probabilities, saved for backward (zero above the diagonal).
    ///   - q: (T, Q) rotated queries; k: (T, KV) rotated keys; v: (T, KV) values.
    static func forward(_ out: UnsafeMutablePointer<Float>, _ probs: UnsafeMutablePointer<Float>,
                        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                        _ seqs: PackedSequences, config c: ModelConfig) {
        let H = c.headCount, D = c.headDim, group = c.headCount / c.kvHeadCount
        let Q = c.queryWidth, KV = c.kvWidth
        let scale = Float(1 / Double(D).squareRoot())
        let offsets = seqs.probabilityOffsets(heads: H).offsets
        for (s, L) in seqs.lengths.enumerated() where L > 0 {
            let t0 = seqs.starts[s]
            for h in 0..<H {
                let kvh = h / group
                let P = probs + offsets[s] + h * L * L
                Gemm.run(transB: true, m: L, n: L, k: D, alpha: scale, q + t0 * Q + h * D, lda: Q,
                         k + t0 * KV + kvh * D, ldb: KV, beta: 0, P, ldc: L)
                for i in 0..<L {
                    Kernels.softmax(P + i * L, i + 1)
                    for j in (i + 1)..<L { P[i * L + j] = 0 }
                }
                Gemm.run(m: L, n: D, k: L, P, lda: L, v + t0 * KV + kvh * D, ldb: KV, beta: 0, out + t0 * Q + h * D, ldc: Q)
            }
        }
    }

    /// Adds dL/dq (T, Q), dL/dk (T, KV) and dL/dv (T, KV) from dout (T, Q).
    /// dP = dO Vᵀ; dV += Pᵀ dO; dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √D; dQ += dS K; dK += dSᵀ Q.
    static func backward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
                         dout: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                         _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                         _ seqs: PackedSequences, config c: ModelConfig) {
        let H = c.headCount, D = c.headDim, group = c.headCount / c.kvHeadCount
        let Q = c.queryWidth, KV = c.kvWidth
        let scale = Float(1 / Double(D).squareRoot())
        let offsets = seqs.probabilityOffsets(heads: H).offsets
        let longest = seqs.lengths.max() ?? 0
        let dP = UnsafeMutablePointer<Float>.allocate(capacity: max(1, longest * longest))  // (L, L)
        defer { dP.deallocate() }
        for (s, L) in seqs.lengths.enumerated() where L > 0 {
            let t0 = seqs.starts[s]
            for h in 0..<H {
                let kvh = h / group
                let P = probs + offsets[s] + h * L * L
                let dO = dout + t0 * Q + h * D
                Gemm.run(transB: true, m: L, n: L, k: D, dO, lda: Q, v + t0 * KV + kvh * D, ldb: KV, beta: 0, dP, ldc: L)
                Gemm.run(transA: true, m: L, n: D, k: L, P, lda: L, dO, ldb: Q, beta: 1, dv + t0 * KV + kvh * D, ldc: KV)
                for i in 0..<L {
                    var rowDot: Float = 0
                    for j in 0...i { rowDot += P[i * L + j] * dP[i * L + j] }
                    for j in 0...i { dP[i * L + j] = P[i * L + j] * (dP[i * L + j] - rowDot) * scale }
                    for j in (i + 1)..<L { dP[i * L + j] = 0 }
                }
                Gemm.run(m: L, n: D, k: L, dP, lda: L, k + t0 * KV + kvh * D, ldb: KV, beta: 1, dq + t0 * Q + h * D, ldc: Q)
                Gemm.run(transA: true, m: L, n: D, k: L, dP, lda: L, q + t0 * Q + h * D, ldb: Q, beta: 1, dk + t0 * KV + kvh * D, ldc: KV)
            }
        }
    }
}
