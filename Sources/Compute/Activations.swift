import Foundation

/// Element-wise and row-wise kernels of the transformer block. Legend: T rows (tokens),
/// C channels, D head dimension. Long sums are accumulated in Double.
public enum Kernels {
    /// RMSNorm: y = x / sqrt(mean(x²) + eps) ⊙ g, for each of T rows.
    /// Rounding follows ggml's (squares in fp32 summed in Double, mean and scale in fp32): with
    /// 8-bit activation quantization downstream, matching llama.cpp's last bits here keeps the two
    /// runtimes' quantized activations identical more often.
    /// - Parameters: y (T, C) output; x (T, C) input (may alias y); g (C) gain.
    public static func rmsNorm(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float) {
        for t in 0..<rows {
            let xr = x + t * cols, yr = y + t * cols
            var sum = 0.0
            for c in 0..<cols { sum += Double(xr[c] * xr[c]) }
            let mean = Float(sum / Double(cols))
            let scale = 1 / (mean + eps).squareRoot()
            for c in 0..<cols { yr[c] = (xr[c] * scale) * g[c] }
        }
    }

    /// SwiGLU: out[i] = silu(gate[i]) · up[i], with silu(z) = z / (1 + e^(−z)) and e^x from
    /// `Vector.exp`, 16 lanes at a time (a short tail too, so every element is computed the same
    /// way wherever it falls). e^(−z) is capped at e^88, below fp32's largest value; silu(z) for
    /// z < −88 is then z·e^−88 instead of z·e^z, both below 1e−36. `out` may alias `gate`.
    public static func swiGLU(_ out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i < count {
            let n = min(16, count - i)
            var z = SIMD16<Float>(), u = SIMD16<Float>()
            if n == 16 {
                z = UnsafeRawPointer(gate + i).loadUnaligned(as: SIMD16<Float>.self)
                u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD16<Float>.self)
            } else {
                for j in 0..<n { (z[j], u[j]) = (gate[i + j], up[i + j]) }
            }
            let h = z / (1 + Vector.exp((-z).replacing(with: 88, where: z .< -88))) * u
            if n == 16 {
                UnsafeMutableRawPointer(out + i).storeBytes(of: h, as: SIMD16<Float>.self)
            } else {
                for j in 0..<n { out[i + j] = h[j] }
            }
            i += 16
        }
    }

    /// y[i] += x[i].
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// Adds bias b (C) to each of T rows of y (T, C).
    public static func addBias(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, cols: Int) {
        for t in 0..<rows { add(y + t * cols, b, count: cols) }
    }

    /// In-place softmax over n values; returns log Σ e^(x − max) + max (the log-partition).
    @discardableResult
    public static func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Double {
        var maxValue = -Float.infinity
        for i in 0..<n { maxValue = max(maxValue, x[i]) }
        var sum = 0.0
        for i in 0..<n {
            let e = Foundation.exp(x[i] - maxValue)
            x[i] = e
            sum += Double(e)
        }
        let inv = Float(1 / sum)
        for i in 0..<n { x[i] *= inv }
        return Foundation.log(sum) + Double(maxValue)
    }
}

/// Rotary position embedding (Su et al., RoFormer) for one head vector of dimension D.
/// Pair i (0 ≤ i < D/2) is rotated by angle pos · θ^(−2i/D). Two pairings exist in the wild:
/// `.neox` rotates (x[i], x[i + D/2]) — Hugging Face's rotate-half, used by Qwen2 everywhere and by
/// Llama checkpoints in HF layout — and `.interleaved` rotates (x[2i], x[2i+1]), the layout of
/// Llama GGUF files, whose converter permutes Q and K rows to match it.
///
/// Angles are computed in fp32 the way ggml does (start from pos, multiply by θ^(−2/D) once per
/// pair): Qwen2's few very large activations make the model sensitive to the last bits of the
/// rotation, and this keeps its log-probabilities within a few hundredths of llama.cpp's.
public struct Rope: Sendable {
    public enum Pairing: Sendable { case neox, interleaved }

    public let dim: Int
    public let pairing: Pairing
    /// θ^(−2/D) in fp32.
    private let step: Float

    public init(dim: Int, theta: Double, pairing: Pairing) {
        precondition(dim % 2 == 0)
        self.dim = dim
        self.pairing = pairing
        step = Foundation.pow(Float(theta), -2 / Float(dim))
    }

    /// Rotates `heads` consecutive head vectors of `x` (heads, D) in place for position `pos`.
    /// `inverse` rotates by the opposite angles: a rotation's transpose, which is what the
    /// backward pass applies to gradients.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, position pos: Int, inverse: Bool = false) {
        let half = dim / 2
        // cos/sin once per position, shared by all heads.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: dim) { table in
            var angle = Float(pos)
            for i in 0..<half {
                table[i] = Foundation.cos(angle)
                table[half + i] = inverse ? -Foundation.sin(angle) : Foundation.sin(angle)
                angle *= step
            }
            for h in 0..<heads {
                let v = x + h * dim
                for i in 0..<half {
                    let (a, b) = pairing == .neox ? (i, i + half) : (2 * i, 2 * i + 1)
                    let x0 = v[a], x1 = v[b], c = table[i], s = table[half + i]
                    v[a] = x0 * c - x1 * s
                    v[b] = x0 * s + x1 * c
                }
            }
        }
    }
}
