import Transformer

/// Low-rank adapters (Hu et al., "LoRA", 2021): W x + (alpha / rank) · B A dropout(x), with A
/// (rank, in) and B (out, rank); B starts at zero so training starts from the base model.
public struct LoRAConfig: Codable, Sendable, Equatable {
    public var rank: Int
    public var alpha: Float
    /// Probability of zeroing an input element of the adapter branch during training.
    public var dropout: Float
    public var targets: [Projection]

    public init(rank: Int, alpha: Float? = nil, dropout: Float = 0, targets: [Projection] = Projection.allCases) {
        precondition(rank > 0, "LoRA rank must be positive")
        precondition(dropout >= 0 && dropout < 1, "LoRA dropout must be in [0, 1)")
        self.rank = rank
        self.alpha = alpha ?? Float(2 * rank)
        self.dropout = dropout
        self.targets = targets.sorted()
    }

    /// The factor on B A x.
    public var scale: Float { alpha / Float(rank) }
}
