import Compute
import ModelFormats

extension ModelConfig {
    /// Maps a Hugging Face `config.json` (Qwen2 or Llama) onto the runtime configuration.
    /// Hugging Face checkpoints keep rotate-half (`.neox`) RoPE for both architectures.
    public init(hf: HFConfig, path: String) throws {
        guard !hf.mlpBias, !hf.hasOutputProjectionBias else {
            throw ModelFileError(.invalidConfig, path: path, "biases on the MLP or the attention output projection are not supported")
        }
        self.init(
            architecture: hf.modelType == .qwen2 ? .qwen2 : .llama,
            vocabularySize: hf.vocabSize,
            hiddenSize: hf.hiddenSize,
            intermediateSize: hf.intermediateSize,
            layerCount: hf.numHiddenLayers,
            headCount: hf.numAttentionHeads,
            kvHeadCount: hf.numKeyValueHeads,
            headDim: hf.headDim,
            ropeTheta: hf.ropeTheta,
            rmsNormEps: Float(hf.rmsNormEps),
            contextLength: hf.maxPositionEmbeddings,
            tiedEmbeddings: hf.tieWordEmbeddings,
            attentionBias: hf.hasQKVBias,
            ropePairing: .neox)
        try validate(source: path)
    }
}

extension ModelWeights {
    /// Hugging Face's name for each of llama.cpp's per-layer tensor names.
    static let huggingFaceLayerNames = [
        "attn_norm.weight": "input_layernorm.weight",
        "attn_q.weight": "self_attn.q_proj.weight", "attn_q.bias": "self_attn.q_proj.bias",
        "attn_k.weight": "self_attn.k_proj.weight", "attn_k.bias": "self_attn.k_proj.bias",
        "attn_v.weight": "self_attn.v_proj.weight", "attn_v.bias": "self_attn.v_proj.bias",
        "attn_output.weight": "self_attn.o_proj.weight",
        "ffn_norm.weight": "post_attention_layernorm.weight",
        "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight", "ffn_down.weight": "mlp.down_proj.weight",
    ]

    /// Binds the tensors of a Hugging Face checkpoint (`model.layers.N.self_attn.q_proj.weight` …),
    /// kept in their stored F32/F16/BF16 format without copying.
    public init(safetensors st: SafeTensorsDirectory, config c: ModelConfig) throws {
        let names = TensorNames(embedding: "model.embed_tokens.weight", finalNorm: "model.norm.weight", lmHead: "lm_head.weight",
                                layer: { "model.layers.\($0).\(Self.huggingFaceLayerNames[$1]!)" })
        try self.init(config: c, names: names, matrix: { name, rows, cols in
            let (info, bytes) = try st.data(name)
            guard info.shape == [rows, cols], let type = info.type else {
                throw ModelFileError(.wrongShape, path: st.path, "tensor '\(name)' is \(info.dtype) \(info.shape), expected a float matrix [\(rows), \(cols)]")
            }
            return WeightMatrix(type: type, rows: rows, cols: cols, data: bytes.baseAddress!, owner: st)
        }, vector: { name, count in
            let values = try st.floats(name)
            guard values.count == count else {
                throw ModelFileError(.wrongShape, path: st.path, "tensor '\(name)' has \(values.count) elements, expected \(count)")
            }
            return values
        })
    }
}
