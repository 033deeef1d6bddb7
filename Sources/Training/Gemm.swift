import CBLAS
import Compute

/// fp32 matrix products of the trainer through OpenBLAS, row-major throughout.
enum Gemm {
    /// c (m, n) = alpha · op(a) · op(b) + beta · c, where op transposes when asked.
    /// a is (m, k) or, transposed, (k, m); b is (k, n) or, transposed, (n, k).
    static func run(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        precondition(k > 0)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// A weight matrix W (M, K) as the trainer reads it: dense fp32 (trainable master weights, or a
/// frozen F32 tensor) or a frozen matrix in a stored format (F16, BF16, GGUF blocks), which is
/// dequantized a tile of rows at a time into fp32 and multiplied with sgemm — the fp32-activation
/// path, never the 8-bit one, so gradients see exactly the weights the fp32 engine uses.
struct MatrixSource {
    let rows: Int
    let cols: Int
    private let dense: UnsafePointer<Float>?
    private let stored: WeightMatrix?

    init(dense: UnsafePointer<Float>, rows: Int, cols: Int) {
        self.rows = rows; self.cols = cols; self.dense = dense; stored = nil
    }

    init(_ w: WeightMatrix) {
        rows = w.rows; cols = w.cols
        if w.type == .f32 {
            dense = w.data.assumingMemoryBound(to: Float.self); stored = nil
        } else {
            dense = nil; stored = w
        }
    }

    /// Rows per dequantized tile: about 1 MB of fp32.
    private var tileRows: Int { max(1, min(rows, (1 << 18) / max(1, cols))) }

    /// Calls `body` with rows `r` of W as dense fp32 (r.count, K), in tiles of at most `maxRows`.
    func forEachTile(maxRows: Int? = nil, in range: Range<Int>? = nil, _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        let all = range ?? 0..<rows
        if let dense {
            body(all, dense + all.lowerBound * cols)
            return
        }
        let w = stored!
        let step = maxRows ?? tileRows
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: step * cols)
        defer { scratch.deallocate() }
        var r0 = all.lowerBound
        while r0 < all.upperBound {
            let r1 = min(all.upperBound, r0 + step)
            for r in r0..<r1 { w.dequantizeRow(r, into: scratch + (r - r0) * cols) }
            body(r0..<r1, scratch)
            r0 = r1
        }
    }

    /// out (N, M) = x (N, K) · Wᵀ (+ out when `accumulate`).
    func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, n: Int, accumulate: Bool = false) {
        forEachTile { r, tile in
            Gemm.run(transB: true, m: n, n: r.count, k: cols, x, lda: cols, tile, ldb: cols,
                     beta: accumulate ? 1 : 0, out + r.lowerBound, ldc: rows)
        }
    }

    /// dx (N, K) += dy (N, M) · W.
    func backwardInput(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, n: Int) {
        forEachTile { r, tile in
            Gemm.run(m: n, n: cols, k: r.count, dy + r.lowerBound, lda: rows, tile, ldb: cols, beta: 1, dx, ldc: cols)
        }
    }
}

/// dW (M, K) += dyᵀ (M, N) · x (N, K): the weight gradient of out = x · Wᵀ.
func accumulateWeightGradient(_ dw: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                              n: Int, m: Int, k: Int, alpha: Float = 1) {
    if n == 0 { return }
    Gemm.run(transA: true, m: m, n: k, k: n, alpha: alpha, dy, lda: m, x, ldb: k, beta: 1, dw, ldc: k)
}
