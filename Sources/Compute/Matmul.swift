import QuantKernels

/// out = x · Wᵀ for a weight matrix in any storage format.
///
/// Legend: N rows of activations (tokens), K = W.cols inputs, M = W.rows outputs.
///
/// Quantized formats with an integer kernel (Q8_0, Q5_0, Q4_0 with 32-weight activation blocks;
/// Q4_K, Q6_K with 256-weight ones) first quantize each activation row to 8 bits as llama.cpp does,
/// then take exact integer dot products per block (`QuantKernels`) against the weights' eight-row
/// panels (`WeightPanels`); with fp32 activations the panels are dequantized block by block and
/// multiplied in fp32. Other formats (F32, F16, BF16, Q4_1) dequantize each weight row into a
/// per-worker scratch row and take fp32 dot products.
///
/// Work is split over panels (or rows); each worker reads its weights once and applies each block
/// to all N activation rows. Every output element is computed by the same function from the same
/// inputs, whatever N is and whichever worker ran it: batching and speculative verification
/// therefore give bit-identical results to one token at a time.
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
        let panels = ws.map(\.panels)

        // Quantized activations, once per format in use, the N rows interleaved block by block
        // (block b of row t at (b · N + t) · blockBytes): a kernel reads block b of all rows as
        // one contiguous run.
        var q8_0: UnsafeMutableRawPointer?, q8K: UnsafeMutableRawPointer?
        defer { q8_0?.deallocate(); q8K?.deallocate() }
        for usesQ8K in activations == .int8 ? Set(panels.compactMap { $0?.usesQ8K }) : [] {
            let blockBytes = Self.activationBlockBytes(q8K: usesQ8K), blockStride = Int64(n * blockBytes)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: n * k / (usesQ8K ? 256 : 32) * blockBytes, alignment: 64)
            Parallel.forEach(count: n, minChunk: 8) { rows in
                for t in rows {
                    if usesQ8K { qk_quantize_q8_K(x + t * k, buffer + t * blockBytes, Int64(k), blockStride) }
                    else { qk_quantize_q8_0(x + t * k, buffer + t * blockBytes, Int64(k), blockStride) }
                }
            }
            if usesQ8K { q8K = buffer } else { q8_0 = buffer }
        }

        let (xq0, xqK) = (q8_0, q8K)
        // The matrices without their owners (`ws` keeps those alive), so the loop retains nothing.
        // Work comes in units: a panel of eight rows for the integer kernels, one row otherwise.
        let parts = ws.indices.map { Part(data: ws[$0].data, type: ws[$0].type, rows: ws[$0].rows, rowBytes: ws[$0].rowBytes,
                                          panels: panels[$0], out: outs[$0]) }
        let starts = parts.reduce(into: [0]) { $0.append($0.last! + $1.units) }
        defer { withExtendedLifetime(ws) {} }
        Parallel.forEach(count: starts.last!, minChunk: 4) { units in
            var i = 0
            var scratch: UnsafeMutablePointer<Float>?
            defer { scratch?.deallocate() }
            for global in units {
                while global >= starts[i + 1] { i += 1 }
                let p = parts[i], m = p.rows, u = global - starts[i]
                if let panels = p.panels {
                    let first = u * Int(QK_PANEL_ROWS), valid = Int32(min(Int(QK_PANEL_ROWS), m - first))
                    if activations == .int8 {
                        let blockBytes = Self.activationBlockBytes(q8K: panels.usesQ8K)
                        qk_panel_dot_rows(panels.kernelType, Int64(k), panels.panel(u), panels.usesQ8K ? xqK! : xq0!,
                                          Int64(blockBytes), Int64(n * blockBytes), Int64(n), p.out + first, Int64(m), valid)
                    } else {
                        qk_panel_dot_rows_f32(panels.kernelType, Int64(k), panels.panel(u), x, Int64(k), Int64(n), p.out + first, Int64(m), valid)
                    }
                    continue
                }
                let row = p.data + u * p.rowBytes
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
                    (p.out[t * m + u], p.out[(t + 1) * m + u]) = Vector.dot2(weights, x + t * k, x + (t + 1) * k, k)
                    t += 2
                }
                if t < n { p.out[t * m + u] = Vector.dot(weights, x + t * k, k) }
            }
        }
    }

    /// Bytes of one quantized activation block: Q8_K (256 values) or Q8_0 (32).
    static func activationBlockBytes(q8K: Bool) -> Int { Int(q8K ? QK_Q8_K_BYTES : QK_Q8_0_BYTES) }

    /// One matrix of a fused product, as the loop reads it.
    private struct Part {
        let data: UnsafeRawPointer
        let type: TensorType
        let rows: Int
        let rowBytes: Int
        let panels: WeightPanels?
        let out: UnsafeMutablePointer<Float>

        /// Panels for the integer kernels, rows otherwise.
        var units: Int { panels?.count ?? rows }
    }
}
