import QuantKernels

/// out = x · Wᵀ for a weight matrix in any storage format.
///
/// Legend: N rows of activations (tokens), K = W.cols inputs, M = W.rows outputs.
///
/// Quantized formats with an integer kernel (Q8_0, Q5_0, Q4_0 with 32-weight activation blocks;
/// Q4_K, Q6_K with 256-weight ones) first quantize each activation row to 8 bits as llama.cpp does,
/// then take exact integer dot products per block (`QuantKernels`). Other formats dequantize each
/// weight row into a per-worker scratch row and take fp32 dot products.
///
/// Work is split over output rows; each worker reads a weight row once, unpacks each block once
/// and applies it to all N activation rows. Every output element is computed by the same function from the same inputs,
/// whatever N is and whichever worker ran it: batching and speculative verification therefore
/// give bit-identical results to one token at a time.
public enum Matmul {
    /// How activations meet quantized weights.
    public enum ActivationPrecision: String, Sendable {
        /// 8-bit activation blocks and integer dot products, as llama.cpp (fast; adds the
        /// activation quantization noise llama.cpp has).
        case int8
        /// fp32 activations against dequantized weight rows (exact to fp32 rounding; slower).
        case fp32
    }

    /// - Parameters:
    ///   - out: (N, M) fp32, overwritten.
    ///   - x: (N, K) fp32.
    ///   - n: number of activation rows N.
    ///   - w: (M, K) weights.
    ///   - activations: how activations meet quantized weights (ignored for float weights).
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, n: Int, _ w: WeightMatrix,
                               activations: ActivationPrecision = .int8) {
        let m = w.rows, k = w.cols
        if activations == .int8, let kernel = IntegerKernel(w.type) {
            let rowBytes = kernel.activationBytes(k)
            let xq = UnsafeMutableRawPointer.allocate(byteCount: n * rowBytes, alignment: 64)
            defer { xq.deallocate() }
            for t in 0..<n { kernel.quantize(x + t * k, xq + t * rowBytes, k) }
            Parallel.forEach(count: m, minChunk: 16) { rows in
                for r in rows { kernel.dot(k, w.row(r), xq, rowBytes: rowBytes, rows: n, out + r, outStride: m) }
            }
            return
        }
        if w.type == .f32 {
            let base = w.data.assumingMemoryBound(to: Float.self)
            Parallel.forEach(count: m, minChunk: 16) { rows in
                for r in rows {
                    for t in 0..<n { out[t * m + r] = Vector.dot(base + r * k, x + t * k, k) }
                }
            }
            return
        }
        Parallel.forEach(count: m, minChunk: 16) { rows in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: k)
            defer { scratch.deallocate() }
            for r in rows {
                w.dequantizeRow(r, into: scratch)
                for t in 0..<n { out[t * m + r] = Vector.dot(scratch, x + t * k, k) }
            }
        }
    }
}

/// The integer kernel for a weight format and the activation quantization it pairs with.
enum IntegerKernel {
    case q8_0, q5_0, q4_0, q4_K, q6_K

    init?(_ type: TensorType) {
        switch type {
        case .q8_0: self = .q8_0
        case .q5_0: self = .q5_0
        case .q4_0: self = .q4_0
        case .q4_K: self = .q4_K
        case .q6_K: self = .q6_K
        default: return nil
        }
    }

    /// K-quants pair with 256-value Q8_K activation blocks, the others with 32-value Q8_0 blocks.
    var usesQ8K: Bool { self == .q4_K || self == .q6_K }

    /// Bytes of one quantized activation row of `k` values.
    func activationBytes(_ k: Int) -> Int {
        usesQ8K ? k / 256 * Int(QK_Q8_K_BYTES) : k / 32 * Int(QK_Q8_0_BYTES)
    }

    func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        if usesQ8K { qk_quantize_q8_K(x, y, Int64(k)) } else { qk_quantize_q8_0(x, y, Int64(k)) }
    }

    /// out[t · outStride] = Σ w·x_t for the `rows` quantized activation rows x_t, `rowBytes` apart.
    @inline(__always)
    func dot(_ k: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, rowBytes: Int, rows: Int,
             _ out: UnsafeMutablePointer<Float>, outStride: Int) {
        let (k, xs, n, os) = (Int64(k), Int64(rowBytes), Int64(rows), Int64(outStride))
        switch self {
        case .q8_0: qk_dot_q8_0_rows(k, w, x, xs, n, out, os)
        case .q5_0: qk_dot_q5_0_rows(k, w, x, xs, n, out, os)
        case .q4_0: qk_dot_q4_0_rows(k, w, x, xs, n, out, os)
        case .q4_K: qk_dot_q4_K_rows(k, w, x, xs, n, out, os)
        case .q6_K: qk_dot_q6_K_rows(k, w, x, xs, n, out, os)
        }
    }
}
