import Compute
import Foundation
import ModelFormats
import Training
import Transformer

/// Tiny random Qwen2-shaped models written as Hugging Face directories (config.json +
/// model.safetensors) in a temporary folder, for gradient checks and training tests.
public enum TinyModels {
    public struct Shape {
        public var vocab = 11, hidden = 8, intermediate = 12, layers = 2, heads = 4, kvHeads = 2, headDim = 4
        public var tied = false
        public var bias = true
        public var theta = 10_000.0
        /// Multiplies the spread of the matrices (1 for gradient checks; smaller to train from).
        public var matrixScale: Float = 1
        public var contextLength = 64

        public init(vocab: Int = 11, hidden: Int = 8, intermediate: Int = 12, layers: Int = 2, heads: Int = 4, kvHeads: Int = 2,
                    headDim: Int = 4, tied: Bool = false, bias: Bool = true, theta: Double = 10_000, matrixScale: Float = 1,
                    contextLength: Int = 64) {
            self.vocab = vocab; self.hidden = hidden; self.intermediate = intermediate; self.layers = layers; self.heads = heads
            self.kvHeads = kvHeads; self.headDim = headDim; self.tied = tied; self.bias = bias; self.theta = theta; self.matrixScale = matrixScale
            self.contextLength = contextLength
        }
    }

    /// HF-named fp32 tensors of a random model: matrices N(0, 0.3²)-ish, biases ±0.1, gains 1 ± 0.1.
    public static func tensors(_ s: Shape, seed: UInt64) -> [String: (shape: [Int], values: [Float])] {
        var rng = SplitMix64(seed: seed)
        func rand(_ shape: [Int], scale: Float, center: Float = 0) -> (shape: [Int], values: [Float]) {
            let scale = shape.count == 2 ? scale * s.matrixScale : scale
            return (shape, (0..<shape.reduce(1, *)).map { _ in center + scale * (2 * rng.nextUnit() - 1) })
        }
        let C = s.hidden, Q = s.heads * s.headDim, KV = s.kvHeads * s.headDim, F = s.intermediate
        var t: [String: (shape: [Int], values: [Float])] = [:]
        t["model.embed_tokens.weight"] = rand([s.vocab, C], scale: 0.8)
        for l in 0..<s.layers {
            let p = "model.layers.\(l)."
            t[p + "input_layernorm.weight"] = rand([C], scale: 0.2, center: 1)
            t[p + "post_attention_layernorm.weight"] = rand([C], scale: 0.2, center: 1)
            t[p + "self_attn.q_proj.weight"] = rand([Q, C], scale: 0.5)
            t[p + "self_attn.k_proj.weight"] = rand([KV, C], scale: 0.5)
            t[p + "self_attn.v_proj.weight"] = rand([KV, C], scale: 0.5)
            if s.bias {
                t[p + "self_attn.q_proj.bias"] = rand([Q], scale: 0.2)
                t[p + "self_attn.k_proj.bias"] = rand([KV], scale: 0.2)
                t[p + "self_attn.v_proj.bias"] = rand([KV], scale: 0.2)
            }
            t[p + "self_attn.o_proj.weight"] = rand([C, Q], scale: 0.4)
            t[p + "mlp.gate_proj.weight"] = rand([F, C], scale: 0.5)
            t[p + "mlp.up_proj.weight"] = rand([F, C], scale: 0.5)
            t[p + "mlp.down_proj.weight"] = rand([C, F], scale: 0.4)
        }
        t["model.norm.weight"] = rand([C], scale: 0.2, center: 1)
        if !s.tied { t["lm_head.weight"] = rand([s.vocab, C], scale: 0.6) }
        return t
    }

    /// Writes the model and returns its directory. Matrices are stored as `matrixType` (F32, F16, BF16).
    /// - Parameter edit: changes the random tensors before they are written (e.g. to bias the LM head).
    public static func write(_ s: Shape, seed: UInt64, matrixType: TensorType = .f32,
                             edit: (inout [String: (shape: [Int], values: [Float])]) -> Void = { _ in }) throws
        -> (dir: String, tensors: [String: (shape: [Int], values: [Float])]) {
        var t = tensors(s, seed: seed)
        edit(&t)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": s.hidden,
            "intermediate_size": s.intermediate, "num_hidden_layers": s.layers, "num_attention_heads": s.heads,
            "num_key_value_heads": s.kvHeads, "head_dim": s.headDim, "rms_norm_eps": 1e-5, "rope_theta": s.theta,
            "max_position_embeddings": s.contextLength, "tie_word_embeddings": s.tied, "vocab_size": s.vocab,
            "hidden_act": "silu", "torch_dtype": "float32",
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
        var w = SafeTensorsWriter()
        for name in t.keys.sorted() {
            let (shape, values) = t[name]!
            let type: TensorType = shape.count == 2 ? matrixType : .f32
            w.add(name, shape: shape, values: values, as: type)
            // What the model will hold after rounding to the stored type.
            if type != .f32 {
                t[name] = (shape, values.map { type == .f16 ? Float(Float16($0)) : Float(bitPattern: roundBF16($0.bitPattern)) })
            }
        }
        try w.write(to: dir + "/model.safetensors")
        return (dir, t)
    }

    private static func roundBF16(_ b: UInt32) -> UInt32 {
        let rounding = 0x7FFF + ((b >> 16) & 1)
        return (b &+ rounding) & 0xFFFF_0000
    }
}
