import Compute

/// The weights of one transformer block. Matrices are (out, in) in their stored format;
/// norm gains and biases are fp32 vectors.
public struct LayerWeights: @unchecked Sendable {
    public var attentionNorm: [Float]   // (C)
    public var wq: WeightMatrix         // (H·D, C)
    public var wk: WeightMatrix         // (Hkv·D, C)
    public var wv: WeightMatrix         // (Hkv·D, C)
    public var bq: [Float]?             // (H·D)
    public var bk: [Float]?             // (Hkv·D)
    public var bv: [Float]?             // (Hkv·D)
    public var wo: WeightMatrix         // (C, H·D)
    public var mlpNorm: [Float]         // (C)
    public var wGate: WeightMatrix      // (F, C)
    public var wUp: WeightMatrix        // (F, C)
    public var wDown: WeightMatrix      // (C, F)
    /// Low-rank adapters applied on top of the stored matrices (LoRA training hands its adapters
    /// to inference this way, without merging or copying them).
    public var adapters: [Projection: LoRAAdapter] = [:]

    /// The stored matrix of a projection.
    public func matrix(_ p: Projection) -> WeightMatrix {
        switch p {
        case .q: wq
        case .k: wk
        case .v: wv
        case .o: wo
        case .gate: wGate
        case .up: wUp
        case .down: wDown
        }
    }
}

/// A low-rank update of one projection, applied in the forward pass:
/// y = x Wᵀ + scale · (x Aᵀ) Bᵀ, with A (r, K) and B (M, r) in fp32 (Hu et al., LoRA, 2021).
/// The matrices usually point into a trainer's parameter buffer, so an optimizer step changes
/// what inference computes without any copy.
public struct LoRAAdapter: @unchecked Sendable {
    public let a: WeightMatrix
    public let b: WeightMatrix
    public let scale: Float

    public init(a: WeightMatrix, b: WeightMatrix, scale: Float) {
        precondition(a.type == .f32 && b.type == .f32 && b.cols == a.rows, "adapter shapes: A (r, K), B (M, r) in fp32")
        self.a = a
        self.b = b
        self.scale = scale
    }
}

/// All weights of a model.
public struct ModelWeights: @unchecked Sendable {
    public var embedding: WeightMatrix  // (V, C)
    public var layers: [LayerWeights]
    public var finalNorm: [Float]       // (C)
    /// (V, C); the embedding matrix itself when tied.
    public var lmHead: WeightMatrix
}

/// The names one checkpoint format gives a model's tensors.
struct TensorNames {
    var embedding: String
    var finalNorm: String
    var lmHead: String
    /// The name of a per-layer tensor, from llama.cpp's short name (`attn_q.weight`, `ffn_up.weight` …).
    var layer: (_ index: Int, _ ggufName: String) -> String
}

extension ModelWeights {
    /// Binds every tensor of a model through two loaders, so that each checkpoint format only says
    /// how its tensors are named and read. Matrices are (rows, cols) = (out, in).
    init(config c: ModelConfig, names: TensorNames,
         matrix: (_ name: String, _ rows: Int, _ cols: Int) throws -> WeightMatrix,
         vector: (_ name: String, _ count: Int) throws -> [Float]) throws {
        let C = c.hiddenSize, F = c.intermediateSize, Q = c.queryWidth, KV = c.kvWidth
        embedding = try matrix(names.embedding, c.vocabularySize, C)
        layers = try (0..<c.layerCount).map { i in
            let n = { names.layer(i, $0) }
            return LayerWeights(
                attentionNorm: try vector(n("attn_norm.weight"), C),
                wq: try matrix(n("attn_q.weight"), Q, C),
                wk: try matrix(n("attn_k.weight"), KV, C),
                wv: try matrix(n("attn_v.weight"), KV, C),
                bq: c.attentionBias ? try vector(n("attn_q.bias"), Q) : nil,
                bk: c.attentionBias ? try vector(n("attn_k.bias"), KV) : nil,
                bv: c.attentionBias ? try vector(n("attn_v.bias"), KV) : nil,
                wo: try matrix(n("attn_output.weight"), C, Q),
                mlpNorm: try vector(n("ffn_norm.weight"), C),
                wGate: try matrix(n("ffn_gate.weight"), F, C),
                wUp: try matrix(n("ffn_up.weight"), F, C),
                wDown: try matrix(n("ffn_down.weight"), C, F))
        }
        finalNorm = try vector(names.finalNorm, C)
        lmHead = c.tiedEmbeddings ? embedding : try matrix(names.lmHead, c.vocabularySize, C)
    }
}
