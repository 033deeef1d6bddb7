import Compute
import Foundation
import ModelFormats

/// Which positions of a forward item need logits.
public enum LogitsSelection: Sendable, Equatable {
    /// Only the last new token (ordinary decoding and the end of a prefill).
    case last
    /// Every new token (speculative verification, scoring, tests).
    case all
}

/// New tokens of one sequence for a forward pass: they are appended after the `sequence.length`
/// positions already cached.
public struct ForwardItem {
    public var tokens: [Int32]
    public var sequence: SequenceKV
    public var logits: LogitsSelection

    public init(tokens: [Int32], sequence: SequenceKV, logits: LogitsSelection = .last) {
        self.tokens = tokens
        self.sequence = sequence
        self.logits = logits
    }
}

/// Logits of a forward pass: rows in item order, `rowRanges[i]` for item i.
public struct Logits {
    /// (R, V).
    public var values: [Float]
    public var vocabularySize: Int
    public var rowRanges: [Range<Int>]

    public func row(_ r: Int) -> ArraySlice<Float> { values[r * vocabularySize..<(r + 1) * vocabularySize] }
    /// The last logits row of item i.
    public func last(of item: Int) -> ArraySlice<Float> { row(rowRanges[item].upperBound - 1) }
}

public enum ForwardError: Error, CustomStringConvertible, Equatable {
    case contextOverflow(length: Int, limit: Int)
    case outOfKVBlocks(needed: Int, free: Int)
    case tokenOutOfRange(Int32, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .contextOverflow(length, limit): "sequence of \(length) tokens exceeds the context length of \(limit)"
        case let .outOfKVBlocks(needed, free): "KV cache full: \(needed) blocks needed, \(free) free"
        case let .tokenOutOfRange(t, v): "token id \(t) is outside the vocabulary (0..<\(v))"
        }
    }
}

/// A Qwen2/Llama decoder: configuration plus weights, and the batched forward pass over a paged
/// KV cache. Legend: T new tokens in the batch, C hidden, H/Hkv heads, D head dim, F MLP width,
/// V vocabulary.
public final class TransformerModel: @unchecked Sendable {
    public let config: ModelConfig
    public var weights: ModelWeights
    /// How activations meet quantized weights: `.int8` as llama.cpp (default), `.fp32` exact.
    public var activationPrecision = Matmul.ActivationPrecision.int8
    /// Incremented whenever the weights change in place (a training step); whatever caches
    /// results of earlier weights (the engine's prefix cache) compares it to know they are stale.
    public private(set) var weightVersion = 0
    let rope: Rope

    public init(config: ModelConfig, weights: ModelWeights) {
        self.config = config
        self.weights = weights
        rope = Rope(dim: config.headDim, theta: config.ropeTheta, pairing: config.ropePairing == .neox ? .neox : .interleaved)
    }

    /// Packs the weight panels of every quantized matrix the forward pass multiplies (each is
    /// otherwise packed at its first use), so that a timed or served first pass does not pay for
    /// it. A model that is only trained never runs the forward pass of inference and never packs.
    public func preparePanels() {
        for w in weights.layers.flatMap({ l in Projection.allCases.map(l.matrix) }) + [weights.lmHead] { _ = w.panels }
    }

    /// Loads a GGUF model, keeping its matrices memory-mapped in their stored format.
    public convenience init(gguf: GGUFFile) throws {
        let config = try ModelConfig(gguf: gguf)
        self.init(config: config, weights: try ModelWeights(gguf: gguf, config: config))
    }

    /// Records that the weights changed in place.
    public func weightsDidChange() { weightVersion += 1 }

    public func makeCache(capacityTokens: Int, blockSize: Int = 16, precision: KVCache.Precision = .f32) -> KVCache {
        KVCache(config: config, blockSize: blockSize, capacityTokens: capacityTokens, precision: precision)
    }

    /// Runs the new tokens of every item through the model, appending their keys and values to
    /// the items' sequences, and returns the requested logits. On error nothing is appended.
    public func forward(_ items: [ForwardItem]) throws -> Logits {
        let c = config
        // Validate everything before touching any cache.
        var needed = 0
        for item in items {
            let end = item.sequence.length + item.tokens.count
            guard end <= c.contextLength else { throw ForwardError.contextOverflow(length: end, limit: c.contextLength) }
            for t in item.tokens where t < 0 || Int(t) >= c.vocabularySize {
                throw ForwardError.tokenOutOfRange(t, vocabularySize: c.vocabularySize)
            }
            let bs = item.sequence.cache.blockSize
            needed += max(0, (end + bs - 1) / bs - item.sequence.blockTable.count)
        }
        if let cache = items.first?.sequence.cache, needed > cache.freeBlockCount {
            throw ForwardError.outOfKVBlocks(needed: needed, free: cache.freeBlockCount)
        }
        for item in items {
            let ok = item.sequence.reserve(upTo: item.sequence.length + item.tokens.count)
            precondition(ok, "blocks were counted above")
        }

        // Flatten the batch: token t belongs to item owner[t] at position pos[t].
        var tokens: [Int32] = [], owner: [Int] = [], positions: [Int] = []
        for (i, item) in items.enumerated() {
            for (j, tok) in item.tokens.enumerated() {
                tokens.append(tok)
                owner.append(i)
                positions.append(item.sequence.length + j)
            }
        }
        let T = tokens.count, C = c.hiddenSize
        var state = RunState(config: c, tokens: T)

        // Embedding lookup: (T, C).
        for t in 0..<T { weights.embedding.dequantizeRow(Int(tokens[t]), into: state.x + t * C) }

        let sequences = items.map(\.sequence)
        for layer in 0..<c.layerCount {
            block(layer, &state, tokens: T, owner: owner, positions: positions, sequences: sequences)
        }
        for item in items { item.sequence.length += item.tokens.count }

        // Final norm and LM head on the selected rows only.
        var rows: [Int] = [], ranges: [Range<Int>] = []
        var t0 = 0
        for item in items {
            let start = rows.count
            switch item.logits {
            case .last: if !item.tokens.isEmpty { rows.append(t0 + item.tokens.count - 1) }
            case .all: rows.append(contentsOf: t0..<t0 + item.tokens.count)
            }
            ranges.append(start..<rows.count)
            t0 += item.tokens.count
        }
        let R = rows.count, V = c.vocabularySize
        let selected = UnsafeMutablePointer<Float>.allocate(capacity: max(1, R * C))
        defer { selected.deallocate() }
        for (r, t) in rows.enumerated() {
            Kernels.rmsNorm(selected + r * C, state.x + t * C, weights.finalNorm, rows: 1, cols: C, eps: c.rmsNormEps)
        }
        let values = [Float](unsafeUninitializedCapacity: R * V) { out, n in
            if R > 0 { Matmul.forward(out.baseAddress!, selected, n: R, weights.lmHead, activations: activationPrecision) }
            n = R * V
        }
        state.deallocate()
        return Logits(values: values, vocabularySize: V, rowRanges: ranges)
    }

    /// One transformer block over the T tokens in `state.x`, in place.
    private func block(_ l: Int, _ s: inout RunState, tokens T: Int, owner: [Int], positions: [Int], sequences: [SequenceKV]) {
        let c = config, w = weights.layers[l]
        let C = c.hiddenSize, Q = c.queryWidth, KV = c.kvWidth, F = c.intermediateSize

        // Attention.
        Kernels.rmsNorm(s.xn, s.x, w.attentionNorm, rows: T, cols: C, eps: c.rmsNormEps)
        project([(s.q, .q), (s.k, .k), (s.v, .v)], s.xn, T, w)
        if let b = w.bq { Kernels.addBias(s.q, b, rows: T, cols: Q) }
        if let b = w.bk { Kernels.addBias(s.k, b, rows: T, cols: KV) }
        if let b = w.bv { Kernels.addBias(s.v, b, rows: T, cols: KV) }
        for t in 0..<T {
            rope.apply(s.q + t * Q, heads: c.headCount, position: positions[t])
            rope.apply(s.k + t * KV, heads: c.kvHeadCount, position: positions[t])
            let (block, offset) = sequences[owner[t]].slot(positions[t])
            sequences[owner[t]].cache.store(layer: l, block: block, offset: offset, keys: s.k + t * KV, values: s.v + t * KV)
        }
        Attention.forward(s.attention, s.q, layer: l, tokens: T, owner: owner, positions: positions, sequences: sequences, config: c)
        project([(s.xn, .o)], s.attention, T, w)
        Kernels.add(s.x, s.xn, count: T * C)

        // SwiGLU MLP.
        Kernels.rmsNorm(s.xn, s.x, w.mlpNorm, rows: T, cols: C, eps: c.rmsNormEps)
        project([(s.gate, .gate), (s.up, .up)], s.xn, T, w)
        let (gate, up) = (s.gate, s.up)
        Parallel.forEach(count: T * F, minChunk: 8192) { r in Kernels.swiGLU(gate + r.lowerBound, gate: gate + r.lowerBound, up: up + r.lowerBound, count: r.count) }
        project([(s.xn, .down)], s.gate, T, w)
        Kernels.add(s.x, s.xn, count: T * C)
    }
}

extension TransformerModel {
    /// out (T, M) = x (T, K) · Wᵀ for each (out, projection) of a block that reads the same x, in
    /// one fused pass, plus each projection's LoRA update if any.
    func project(_ outs: [(UnsafeMutablePointer<Float>, Projection)], _ x: UnsafePointer<Float>, _ T: Int, _ w: LayerWeights) {
        Matmul.forward(outs.map(\.0), x, n: T, outs.map { w.matrix($0.1) }, activations: activationPrecision)
        for (out, p) in outs {
            guard let adapter = w.adapters[p] else { continue }
            let r = adapter.a.rows, m = adapter.b.rows
            let down = UnsafeMutablePointer<Float>.allocate(capacity: T * r)        // (T, r)
            let up = UnsafeMutablePointer<Float>.allocate(capacity: T * m)          // (T, M)
            defer { down.deallocate(); up.deallocate() }
            Matmul.forward(down, x, n: T, adapter.a)
            Matmul.forward(up, down, n: T, adapter.b)
            for i in 0..<T * m { out[i].addProduct(adapter.scale, up[i]) }
        }
    }
}

/// Scratch activations of one forward pass (llama2.c's RunState), sized for T tokens.
struct RunState {
    let x: UnsafeMutablePointer<Float>          // (T, C) residual stream
    let xn: UnsafeMutablePointer<Float>         // (T, C) normed input / projection output
    let q: UnsafeMutablePointer<Float>          // (T, H·D)
    let k: UnsafeMutablePointer<Float>          // (T, Hkv·D)
    let v: UnsafeMutablePointer<Float>          // (T, Hkv·D)
    let attention: UnsafeMutablePointer<Float>  // (T, H·D)
    let gate: UnsafeMutablePointer<Float>       // (T, F)
    let up: UnsafeMutablePointer<Float>         // (T, F)

    init(config c: ModelConfig, tokens T: Int) {
        x = .allocate(capacity: T * c.hiddenSize)
        xn = .allocate(capacity: T * c.hiddenSize)
        q = .allocate(capacity: T * c.queryWidth)
        k = .allocate(capacity: T * c.kvWidth)
        v = .allocate(capacity: T * c.kvWidth)
        attention = .allocate(capacity: T * c.queryWidth)
        gate = .allocate(capacity: T * c.intermediateSize)
        up = .allocate(capacity: T * c.intermediateSize)
    }

    func deallocate() {
        for p in [x, xn, q, k, v, attention, gate, up] { p.deallocate() }
    }
}
