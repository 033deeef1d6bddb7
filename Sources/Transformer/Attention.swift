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
    ///
    /// Work is split over (token, KV head) pairs: the query heads sharing a KV head read each key
    /// and value row once, converted from fp16 once; each head's arithmetic is what it would be on
    /// its own.
    static func forward(_ out: UnsafeMutablePointer<Float>, _ q: UnsafePointer<Float>, layer: Int, tokens T: Int,
                        owner: [Int], positions: [Int], sequences: [SequenceKV], config c: ModelConfig) {
        let H = c.headCount, Hkv = c.kvHeadCount, D = c.headDim, group = c.headCount / c.kvHeadCount
        let Q = c.queryWidth
        let scale = Float(1 / Double(D).squareRoot())
        let longest = positions.max().map { $0 + 1 } ?? 0
        owner.withUnsafeBufferPointer { owner in
            positions.withUnsafeBufferPointer { positions in
                Parallel.forEach(count: T * Hkv) { pairs in
                    // Per head: `longest` scores and the query; then one converted key or value row.
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: group * (longest + D) + D)
                    defer { scratch.deallocate() }
                    let queries = scratch + group * longest, row = queries + group * D
                    for pair in pairs {
                        let t = pair / Hkv, kvHead = pair % Hkv
                        let seq = sequences[owner[t]], cache = seq.cache
                        let length = positions[t] + 1
                        let half = cache.precision == .f16
                        for g in 0..<group {
                            let qh = q + t * Q + (kvHead * group + g) * D
                            // The query rounded to fp16 for an fp16 cache, as ggml does.
                            for i in 0..<D { queries[g * D + i] = half ? Float(Float16(qh[i])) : qh[i] }
                        }
                        for p in 0..<length {
                            let (b, o) = seq.slot(p)
                            let k = cache.keys(layer: layer, block: b, offset: o)
                            if half {
                                widen(row, k.assumingMemoryBound(to: Float16.self) + kvHead * D, D)
                                for g in 0..<group { scratch[g * longest + p] = dot8(queries + g * D, row, D) * scale }
                            } else {
                                let kf = k.assumingMemoryBound(to: Float.self) + kvHead * D
                                for g in 0..<group { scratch[g * longest + p] = Vector.dot(queries + g * D, kf, D) * scale }
                            }
                        }
                        for g in 0..<group {
                            Kernels.softmax(scratch + g * longest, length)
                            (out + t * Q + (kvHead * group + g) * D).initialize(repeating: 0, count: D)
                        }
                        for p in 0..<length {
                            let (b, o) = seq.slot(p)
                            let v = cache.values(layer: layer, block: b, offset: o)
                            let vf: UnsafePointer<Float>
                            if half {
                                widen(row, v.assumingMemoryBound(to: Float16.self) + kvHead * D, D)
                                vf = UnsafePointer(row)
                            } else {
                                vf = UnsafePointer(v.assumingMemoryBound(to: Float.self) + kvHead * D)
                            }
                            for g in 0..<group {
                                let weight = scratch[g * longest + p]
                                // The probability rounded to fp16 for an fp16 cache, as ggml does.
                                Vector.axpy(out + t * Q + (kvHead * group + g) * D, half ? Float(Float16(weight)) : weight, vf, D)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Σ a[i]·b[i] in eight lanes, summed at the end, then a scalar tail (the order ggml-style fp16
    /// attention used here has always had; b holds an fp16 row widened exactly).
    @inline(__always)
    static func dot8(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self),
                           UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var sum = acc.sum()
        while i < n {
            sum.addProduct(a[i], b[i])
            i += 1
        }
        return sum
    }

    /// y[0..<n] = x[0..<n] widened from fp16 (exact).
    @inline(__always)
    static func widen(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float16>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            UnsafeMutableRawPointer(y + i).storeBytes(of: SIMD8<Float>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float16>.self)),
                                                      as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            y[i] = Float(x[i])
            i += 1
        }
    }
}
