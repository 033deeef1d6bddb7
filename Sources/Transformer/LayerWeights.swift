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
}

/// All weights of a model.
public struct ModelWeights: @unchecked Sendable {
    public var embedding: WeightMatrix  // (V, C)
    public var layers: [LayerWeights]
    public var finalNorm: [Float]       // (C)
    /// (V, C); the embedding matrix itself when tied.
    public var lmHead: WeightMatrix
}
