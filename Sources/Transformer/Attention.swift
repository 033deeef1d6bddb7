import Compute
import Foundation

/// Causal grouped-query attention over the paged KV cache. Each (token, head) pair is
/// independent: its query attends to positions 0...pos of its own sequence, read through the
/// sequence's block table. Query head h reads KV head h / (H / Hkv).
///
/// With an fp16 cache the arithmetic follows ggml's (non-flash) attention: the query is rounded
/// to fp16 before the Q·K dot products, and the softmax probabilities are rounded to fp16 before
/// weighting the values; products are accumulated in fp32.
enum Attention {
    /// - Parameters:
    ///   - out: (T, H·D) attention output.
    ///   - q: (T, H·D) rotated queries.
    static func forward(_ out: UnsafeMutablePointer<Float>, _ q: UnsafePointer<Float>, layer: Int, tokens T: Int,
                        owner: [Int], positions: [Int], sequences: [SequenceKV], config c: ModelConfig) {
        let H = c.headCount, D = c.headDim, group = c.headCount / c.kvHeadCount
        let Q = c.queryWidth
        let scale = Float(1 / Double(D).squareRoot())
        let longest = positions.max().map { $0 + 1 } ?? 0
        owner.withUnsafeBufferPointer { owner in
            positions.withUnsafeBufferPointer { positions in
                Parallel.forEach(count: T * H) { pairs in
                    let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest + D)
                    defer { scores.deallocate() }
                    let query = scores + longest  // (D) the query, rounded to fp16 for an fp16 cache
                    for pair in pairs {
                        let t = pair / H, h = pair % H, kvHead = h / group
                        let seq = sequences[owner[t]], cache = seq.cache
                        let length = positions[t] + 1
                        let half = cache.precision == .f16
                        for i in 0..<D { query[i] = half ? Float(Float16(q[t * Q + h * D + i])) : q[t * Q + h * D + i] }
                        for p in 0..<length {
                            let (b, o) = seq.slot(p)
                            let k = cache.keys(layer: layer, block: b, offset: o)
                            scores[p] = (half ? dotHalf(query, k.assumingMemoryBound(to: Float16.self) + kvHead * D, D)
                                              : Vector.dot(query, k.assumingMemoryBound(to: Float.self) + kvHead * D, D)) * scale
                        }
                        Kernels.softmax(scores, length)
                        let oh = out + t * Q + h * D
                        oh.initialize(repeating: 0, count: D)
                        for p in 0..<length {
                            let (b, o) = seq.slot(p)
                            let v = cache.values(layer: layer, block: b, offset: o)
                            if half {
                                axpyHalf(oh, Float(Float16(scores[p])), v.assumingMemoryBound(to: Float16.self) + kvHead * D, D)
                            } else {
                                Vector.axpy(oh, scores[p], v.assumingMemoryBound(to: Float.self) + kvHead * D, D)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Σ a[i]·b[i] with b in fp16.
    @inline(__always)
    static func dotHalf(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float16>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self),
                           SIMD8<Float>(UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float16>.self)))
            i += 8
        }
        var sum = acc.sum()
        while i < n {
            sum.addProduct(a[i], Float(b[i]))
            i += 1
        }
        return sum
    }

    /// y[i] += alpha · x[i] with x in fp16.
    @inline(__always)
    static func axpyHalf(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ x: UnsafePointer<Float16>, _ n: Int) {
        for i in 0..<n { y[i].addProduct(alpha, Float(x[i])) }
    }
}
