import Compute
import Foundation
import Transformer

/// A trainable fp32 tensor in the parameter buffer, or a frozen one in the frozen buffer.
enum VectorRef {
    case trainable(Int)
    case frozen(Int)
}

/// A weight matrix: trainable master weights (offset in the parameter buffer) or the base model's
/// frozen matrix in its stored format.
enum MatrixRef {
    case trainable(Int)
    case frozen(WeightMatrix)
}

/// Offsets of one adapter's A (rank, K) and B (M, rank) in the parameter buffer.
struct LoRARef {
    let a: Int
    let b: Int
    let rank: Int
    let scale: Float
    let dropout: Float
}

/// One projection y = x Wᵀ + b (+ LoRA) with W (M, K).
struct LinearRef {
    let rows: Int
    let cols: Int
    let weight: MatrixRef
    let bias: VectorRef?
    let lora: LoRARef?
}

struct BlockRef {
    let attentionNorm: VectorRef
    let q, k, v, o: LinearRef
    let mlpNorm: VectorRef
    let gate, up, down: LinearRef

    func linear(_ p: Projection) -> LinearRef {
        switch p {
        case .q: q
        case .k: k
        case .v: v
        case .o: o
        case .gate: gate
        case .up: up
        case .down: down
        }
    }
}

/// What is trained: every weight (fp32 master copies of the base), or LoRA adapters over a frozen
/// base that stays in its stored format.
public enum TrainingMode: Codable, Sendable, Equatable {
    case full
    case lora(LoRAConfig)
}

/// A Qwen2/Llama model set up for training: the flat parameter and gradient buffers (one
/// `ParameterLayout`), frozen fp32 vectors, and, for LoRA, the base model's matrices.
/// Legend: C hidden, F MLP width, V vocabulary, r LoRA rank.
public final class TrainableModel: @unchecked Sendable {
    public let config: ModelConfig
    public let mode: TrainingMode
    public let layout: ParameterLayout
    /// Trainable fp32 master weights, in `layout`.
    public let parameters: FloatBuffer
    /// Gradients, in `layout`; backward adds into them.
    public let gradients: FloatBuffer
    /// Frozen fp32 vectors (norm gains, biases) when they are not trained.
    let frozen: FloatBuffer
    /// Keeps the base model's memory-mapped matrices alive.
    let base: ModelWeights
    let embedding: MatrixRef        // (V, C)
    let finalNorm: VectorRef        // (C)
    let lmHead: MatrixRef           // (V, C); the embedding when tied
    let blocks: [BlockRef]
    let rope: Rope

    /// Sets up training of `model`'s weights. Full fine-tuning copies every weight to fp32 master
    /// weights (F32, F16 and BF16 bases — quantized ones would lose their format); LoRA keeps the
    /// base as stored and initialises A uniformly in ±1/√K (the Kaiming-uniform bound peft uses) and
    /// B at zero, from `seed`.
    public init(_ model: TransformerModel, mode: TrainingMode, seed: UInt64 = 0) {
        let c = model.config, w = model.weights
        config = c
        self.mode = mode
        base = w
        rope = Rope(dim: c.headDim, theta: c.ropeTheta, pairing: c.ropePairing == .neox ? .neox : .interleaved)

        var layout = ParameterLayout()
        var frozenValues: [Float] = []
        var initial: [(Int, [Float])] = []   // values to copy into the parameter buffer
        var loraInit: [(a: Int, count: Int, bound: Float)] = []

        let full: Bool
        let lora: LoRAConfig?
        switch mode {
        case .full: full = true; lora = nil
        case .lora(let l): full = false; lora = l
        }

        func vector(_ name: String, _ values: [Float]) -> VectorRef {
            if full {
                let off = layout.add(name, shape: [values.count], decay: false)
                initial.append((off, values))
                return .trainable(off)
            }
            let off = frozenValues.count
            frozenValues.append(contentsOf: values)
            return .frozen(off)
        }
        func matrix(_ name: String, _ m: WeightMatrix) -> MatrixRef {
            guard full else { return .frozen(m) }
            precondition([.f32, .f16, .bf16].contains(m.type), "full fine-tuning needs an F32, F16 or BF16 base; \(name) is \(m.type)")
            let off = layout.add(name, shape: [m.rows, m.cols], decay: true)
            var values = [Float](repeating: 0, count: m.rows * m.cols)
            values.withUnsafeMutableBufferPointer { p in
                for r in 0..<m.rows { m.dequantizeRow(r, into: p.baseAddress! + r * m.cols) }
            }
            initial.append((off, values))
            return .trainable(off)
        }
        func linear(_ layer: Int, _ p: Projection, _ m: WeightMatrix, bias: [Float]?) -> LinearRef {
            let prefix = "model.layers.\(layer).\(p.module).\(p.rawValue)"
            let weight = matrix("\(prefix).weight", m)
            let b = bias.map { vector("\(prefix).bias", $0) }
            var adapter: LoRARef?
            if let lora, lora.targets.contains(p) {
                let peft = "base_model.model.\(prefix)"
                let a = layout.add("\(peft).lora_A.weight", shape: [lora.rank, m.cols], decay: true)
                let bOff = layout.add("\(peft).lora_B.weight", shape: [m.rows, lora.rank], decay: true)
                loraInit.append((a, lora.rank * m.cols, 1 / Float(m.cols).squareRoot()))
                adapter = LoRARef(a: a, b: bOff, rank: lora.rank, scale: lora.scale, dropout: lora.dropout)
            }
            return LinearRef(rows: m.rows, cols: m.cols, weight: weight, bias: b, lora: adapter)
        }

        embedding = matrix("model.embed_tokens.weight", w.embedding)
        var blocks: [BlockRef] = []
        for (i, l) in w.layers.enumerated() {
            let attnNorm = vector("model.layers.\(i).input_layernorm.weight", l.attentionNorm)
            let q = linear(i, .q, l.wq, bias: l.bq)
            let k = linear(i, .k, l.wk, bias: l.bk)
            let v = linear(i, .v, l.wv, bias: l.bv)
            let o = linear(i, .o, l.wo, bias: nil)
            let mlpNorm = vector("model.layers.\(i).post_attention_layernorm.weight", l.mlpNorm)
            blocks.append(BlockRef(attentionNorm: attnNorm, q: q, k: k, v: v, o: o, mlpNorm: mlpNorm,
                                   gate: linear(i, .gate, l.wGate, bias: nil), up: linear(i, .up, l.wUp, bias: nil),
                                   down: linear(i, .down, l.wDown, bias: nil)))
        }
        self.blocks = blocks
        finalNorm = vector("model.norm.weight", w.finalNorm)
        lmHead = c.tiedEmbeddings ? embedding : matrix("lm_head.weight", w.lmHead)

        self.layout = layout
        parameters = FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: layout.count)
        frozen = FloatBuffer(frozenValues)
        for (off, values) in initial {
            for i in 0..<values.count { parameters[off + i] = values[i] }
        }
        var rng = SplitMix64(seed: seed)
        for (a, count, bound) in loraInit {
            for i in 0..<count { parameters[a + i] = (2 * rng.nextUnit() - 1) * bound }
        }
    }

    public func zeroGradients() { gradients.zero() }

    // MARK: resolving references

    func pointer(_ v: VectorRef) -> UnsafeMutablePointer<Float> {
        switch v {
        case .trainable(let o): parameters.pointer + o
        case .frozen(let o): frozen.pointer + o
        }
    }

    /// The gradient of a vector, nil when it is frozen.
    func gradient(_ v: VectorRef) -> UnsafeMutablePointer<Float>? {
        if case .trainable(let o) = v { return gradients.pointer + o }
        return nil
    }

    func source(_ m: MatrixRef, rows: Int, cols: Int) -> MatrixSource {
        switch m {
        case .trainable(let o): MatrixSource(dense: parameters.pointer + o, rows: rows, cols: cols)
        case .frozen(let w): MatrixSource(w)
        }
    }

    func gradient(_ m: MatrixRef) -> UnsafeMutablePointer<Float>? {
        if case .trainable(let o) = m { return gradients.pointer + o }
        return nil
    }
}
