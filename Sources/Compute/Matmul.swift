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
/// and applies it to all N activation rows. Every output element is computed by the same function
/// from the same inputs, whatever N is and whichever worker ran it: batching and speculative
/// verification therefore give bit-identical results to one token at a time.
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
        forward([out], x, n: n, [w], activations: activations)
    }

    /// Several products of the same input, outs[i] = x · ws[i]ᵀ, in one parallel pass (the q, k
    /// and v projections of a block; gate and up). The input is quantized once per activation
    /// format the matrices need, and the workers split the matrices' rows taken together.
    /// Each output element has the bits it has when its matrix is multiplied alone.
    /// - Parameters:
    ///   - outs: (N, M_i) fp32 per matrix, overwritten.
    ///   - x: (N, K) fp32.
    ///   - ws: (M_i, K) weights, all with K columns.
    public static func forward(_ outs: [UnsafeMutablePointer<Float>], _ x: UnsafePointer<Float>, n: Int, _ ws: [WeightMatrix],
                               activations: ActivationPrecision = .int8) {
        precondition(outs.count == ws.count && !ws.isEmpty)
        let k = ws[0].cols
        precondition(ws.allSatisfy { $0.cols == k }, "fused products need the same input width")
        let kernels = ws.map { activations == .int8 ? IntegerKernel($0.type) : nil }

        // Quantized activations, once per format in use: (N, rowBytes) each.
        var q8_0: UnsafeMutableRawPointer?, q8K: UnsafeMutableRawPointer?
        defer { q8_0?.deallocate(); q8K?.deallocate() }
        for kernel in kernels.compactMap({ $0 }) where (kernel.usesQ8K ? q8K : q8_0) == nil {
            let rowBytes = kernel.activationBytes(k)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: n * rowBytes, alignment: 64)
            Parallel.forEach(count: n, minChunk: 8) { rows in
                for t in rows { kernel.quantize(x + t * k, buffer + t * rowBytes, k) }
            }
            if kernel.usesQ8K { q8K = buffer } else { q8_0 = buffer }
        }

        let (xq0, xqK) = (q8_0, q8K)
        let starts = ws.reduce(into: [0]) { $0.append($0.last! + $1.rows) }
        // The matrices without their owners (`ws` keeps those alive), so the row loop retains nothing.
        let parts = ws.indices.map { Part(data: ws[$0].data, type: ws[$0].type, rows: ws[$0].rows, rowBytes: ws[$0].rowBytes,
                                          kernel: kernels[$0], out: outs[$0]) }
        defer { withExtendedLifetime(ws) {} }
        Parallel.forEach(count: starts.last!, minChunk: 16) { rows in
            var i = 0
            var scratch: UnsafeMutablePointer<Float>?
            defer { scratch?.deallocate() }
            for global in rows {
                while global >= starts[i + 1] { i += 1 }
                let p = parts[i], m = p.rows, r = global - starts[i], row = p.data + r * p.rowBytes
                if let kernel = p.kernel {
                    kernel.dot(k, row, kernel.usesQ8K ? xqK! : xq0!, rowBytes: kernel.activationBytes(k), rows: n, p.out + r, outStride: m)
                    continue
                }
                let weights: UnsafePointer<Float>
                if p.type == .f32 {
                    weights = row.assumingMemoryBound(to: Float.self)
                } else {
                    // Other formats: dequantize the weight row once into a per-worker scratch row.
                    if scratch == nil { scratch = .allocate(capacity: k) }
                    RowDequantizer.row(scratch!, row, type: p.type, count: k)
                    weights = UnsafePointer(scratch!)
                }
                var t = 0
                while t + 2 <= n {
                    (p.out[t * m + r], p.out[(t + 1) * m + r]) = Vector.dot2(weights, x + t * k, x + (t + 1) * k, k)
                    t += 2
                }
                if t < n { p.out[t * m + r] = Vector.dot(weights, x + t * k, k) }
            }
        }
    }

    /// One matrix of a fused product, as the row loop reads it.
    private struct Part {
        let data: UnsafeRawPointer
        let type: TensorType
        let rows: Int
        let rowBytes: Int
        let kernel: IntegerKernel?
        let out: UnsafeMutablePointer<Float>
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
