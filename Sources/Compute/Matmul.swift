/// out = x · Wᵀ for a weight matrix in any storage format.
///
/// Legend: N rows of activations (tokens), K = W.cols inputs, M = W.rows outputs.
///
/// Work is split over output rows: each worker decodes one weight row at a time into its own
/// scratch (K floats, L1/L2-resident; quantized rows as exact codes plus per-sub-block factors,
/// see `BlockCodes`) and takes its dot product with all N activation rows, so a weight row is read
/// from memory once per call however many tokens there are. Every output element is computed by
/// the same function from the same decoded row, whatever N is and whichever worker ran it:
/// batching and speculative verification therefore give bit-identical results to one token at a
/// time.
public enum Matmul {
    /// Up to this many activation rows, rows are decoded in registers once per activation row
    /// (`FusedDot`); beyond it, once per call into scratch (`BlockCodes`). Both give the same bits.
    public static let fusedRowLimit = 4

    /// - Parameters:
    ///   - out: (N, M) fp32, overwritten.
    ///   - x: (N, K) fp32.
    ///   - n: number of activation rows N.
    ///   - w: (M, K) weights.
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, n: Int, _ w: WeightMatrix) {
        let m = w.rows, k = w.cols
        if w.type == .f32 {
            let base = w.data.assumingMemoryBound(to: Float.self)
            Parallel.forEach(count: m, minChunk: 16) { rows in
                for r in rows {
                    let row = base + r * k
                    for t in 0..<n { out[t * m + r] = Vector.dot(row, x + t * k, k) }
                }
            }
            return
        }
        if !w.type.isQuantized {
            Parallel.forEach(count: m, minChunk: 16) { rows in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: k)
                defer { scratch.deallocate() }
                for r in rows {
                    w.dequantizeRow(r, into: scratch)
                    for t in 0..<n { out[t * m + r] = Vector.dot(scratch, x + t * k, k) }
                }
            }
            return
        }
        let S = BlockCodes.subBlockLength(w.type), subBlocks = k / S
        // Sub-block sums of every activation row, shared by all weight rows.
        let xSums = UnsafeMutablePointer<Float>.allocate(capacity: n * subBlocks)
        defer { xSums.deallocate() }
        for t in 0..<n { BlockCodes.subBlockSums(xSums + t * subBlocks, x + t * k, count: k, subBlockLength: S) }
        if n <= fusedRowLimit && FusedDot.supports(w.type) {
            Parallel.forEach(count: m, minChunk: 16) { rows in
                for r in rows {
                    for t in 0..<n {
                        out[t * m + r] = FusedDot.dot(w.row(r), type: w.type, x: x + t * k, xSums: xSums + t * subBlocks, count: k)
                    }
                }
            }
            return
        }
        Parallel.forEach(count: m, minChunk: 16) { rows in
            let codes = UnsafeMutablePointer<Float>.allocate(capacity: k + 2 * subBlocks)
            defer { codes.deallocate() }
            let scales = codes + k, mins = scales + subBlocks
            for r in rows {
                BlockCodes.decodeRow(codes: codes, scales: scales, mins: mins, w.row(r), type: w.type, count: k)
                for t in 0..<n {
                    out[t * m + r] = BlockCodes.dot(codes: codes, scales: scales, mins: mins, x: x + t * k,
                                                    xSums: xSums + t * subBlocks, count: k, subBlockLength: S)
                }
            }
        }
    }
}
