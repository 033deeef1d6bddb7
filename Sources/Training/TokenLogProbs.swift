import Foundation

/// The LM head and log-softmax, forward beside backward, over the vocabulary in chunks of rows of
/// the head matrix so that no (R, V) logits matrix exists whole (V = 151,936 for Qwen2).
/// logp_r = z_r[y_r] − log Σ_v exp z_r[v] with z = h Wᵀ / τ. Legend: R scored rows, C hidden,
/// V vocabulary, Vc chunk.
enum TokenLogProbs {
    /// - Parameters:
    ///   - logProbs: (R) out, log-probabilities of the targets.
    ///   - logPartition: (R) out, log Σ exp z, saved for backward.
    ///   - h: (R, C) final-normed hidden states of the scored rows.
    ///   - targets: (R) token ids.
    static func forward(_ logProbs: UnsafeMutablePointer<Float>, _ logPartition: UnsafeMutablePointer<Double>,
                        _ h: UnsafePointer<Float>, targets: [Int32], head: MatrixSource, temperature: Float, chunk: Int) {
        let R = targets.count, V = head.rows
        if R == 0 { return }
        let invT = 1 / temperature
        var maxima = [Double](repeating: -.infinity, count: R), sums = [Double](repeating: 0, count: R)
        var picked = [Float](repeating: 0, count: R)
        let z = UnsafeMutablePointer<Float>.allocate(capacity: R * min(chunk, V))  // (R, Vc)
        defer { z.deallocate() }
        var v0 = 0
        while v0 < V {
            let v1 = min(V, v0 + chunk), n = v1 - v0
            chunkLogits(z, h, rows: R, head: head, vocabulary: v0..<v1, scale: invT)
            for r in 0..<R {
                let zr = z + r * n
                var m = -Float.infinity
                for j in 0..<n { m = max(m, zr[j]) }
                // Online log-sum-exp: rescale the running sum when the maximum grows.
                let newMax = max(maxima[r], Double(m))
                var s = sums[r] * Foundation.exp(maxima[r] - newMax)
                let mf = Float(newMax)
                for j in 0..<n { s += Double(Foundation.exp(zr[j] - mf)) }
                sums[r] = s
                maxima[r] = newMax
                let y = Int(targets[r])
                if y >= v0 && y < v1 { picked[r] = zr[y - v0] }
            }
            v0 = v1
        }
        for r in 0..<R {
            logPartition[r] = maxima[r] + Foundation.log(sums[r])
            logProbs[r] = Float(Double(picked[r]) - logPartition[r])
        }
    }

    /// Adds dL/dh into dh (R, C) and, for a trainable head, dL/dW into dw (V, C), from
    /// g (R) = dL/dlogp: dz_v = g (δ_{v,y} − softmax(z)_v), dlogits = dz / τ. Logits are recomputed chunk by chunk.
    static func backward(_ dh: UnsafeMutablePointer<Float>, _ dw: UnsafeMutablePointer<Float>?, _ g: UnsafePointer<Float>,
                         _ h: UnsafePointer<Float>, targets: [Int32], logPartition: UnsafePointer<Double>,
                         head: MatrixSource, temperature: Float, chunk: Int) {
        let R = targets.count, C = head.cols, V = head.rows
        if R == 0 { return }
        let invT = 1 / temperature
        let z = UnsafeMutablePointer<Float>.allocate(capacity: R * min(chunk, V))  // (R, Vc)
        defer { z.deallocate() }
        var v0 = 0
        while v0 < V {
            let v1 = min(V, v0 + chunk), n = v1 - v0
            chunkLogits(z, h, rows: R, head: head, vocabulary: v0..<v1, scale: invT)
            for r in 0..<R {
                let zr = z + r * n, lse = Float(logPartition[r]), gr = g[r]
                for j in 0..<n { zr[j] = -gr * Foundation.exp(zr[j] - lse) * invT }
                let y = Int(targets[r])
                if y >= v0 && y < v1 { zr[y - v0] += gr * invT }
            }
            head.forEachTile(maxRows: chunk, in: v0..<v1) { rows, tile in
                Gemm.run(m: R, n: C, k: rows.count, z + (rows.lowerBound - v0), lda: n, tile, ldb: C, beta: 1, dh, ldc: C)
            }
            if let dw {
                Gemm.run(transA: true, m: n, n: C, k: R, z, lda: n, h, ldb: C, beta: 1, dw + v0 * C, ldc: C)
            }
            v0 = v1
        }
    }

    /// z (R, |vocabulary|) = scale · h (R, C) · head[vocabulary]ᵀ: one chunk of temperature-scaled
    /// logits, shared by the forward and the backward pass.
    private static func chunkLogits(_ z: UnsafeMutablePointer<Float>, _ h: UnsafePointer<Float>, rows R: Int,
                                    head: MatrixSource, vocabulary: Range<Int>, scale: Float) {
        let C = head.cols, n = vocabulary.count
        head.forEachTile(maxRows: n, in: vocabulary) { rows, tile in
            Gemm.run(transB: true, m: R, n: rows.count, k: C, alpha: scale, h, lda: C, tile, ldb: C, beta: 0,
                     z + (rows.lowerBound - vocabulary.lowerBound), ldc: n)
        }
    }
}
