import Compute
import Foundation

/// Causal grouped-query attention over the paged KV cache. Each (token, head) pair is
/// independent: its query attends to positions 0...pos of its own sequence, read through the
/// sequence's block table. Query head h reads KV head h / (H / Hkv).
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
                    let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest)
                    defer { scores.deallocate() }
                    for pair in pairs {
                        let t = pair / H, h = pair % H, kvHead = h / group
                        let seq = sequences[owner[t]], cache = seq.cache
                        let length = positions[t] + 1
                        let qh = q + t * Q + h * D
                        for p in 0..<length {
                            let (b, o) = seq.slot(p)
                            scores[p] = Vector.dot(qh, cache.keys(layer: layer, block: b, offset: o) + kvHead * D, D) * scale
                        }
                        Kernels.softmax(scores, length)
                        let oh = out + t * Q + h * D
                        oh.initialize(repeating: 0, count: D)
                        for p in 0..<length {
                            let (b, o) = seq.slot(p)
                            Vector.axpy(oh, scores[p], cache.values(layer: layer, block: b, offset: o) + kvHead * D, D)
                        }
                    }
                }
            }
        }
    }
}
