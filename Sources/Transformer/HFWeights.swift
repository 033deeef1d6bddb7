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
    /// Binds the tensors of a Hugging Face checkpoint (`model.layers.N.self_attn.q_proj.weight` …),
    /// kept in their stored F32/F16/BF16 format without copying.
    public init(safetensors st: SafeTensorsDirectory, config c: ModelConfig) throws {
        func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
            let (info, bytes) = try st.data(name)
            guard info.shape == [rows, cols], let type = info.type else {
                throw ModelFileError(.wrongShape, path: st.path, "tensor '\(name)' is \(info.dtype) \(info.shape), expected a float matrix [\(rows), \(cols)]")
            }
            return WeightMatrix(type: type, rows: rows, cols: cols, data: bytes.baseAddress!, owner: st)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let values = try st.floats(name)
            guard values.count == count else {
                throw ModelFileError(.wrongShape, path: st.path, "tensor '\(name)' has \(values.count) elements, expected \(count)")
            }
            return values
        }
        let C = c.hiddenSize, F = c.intermediateSize, Q = c.queryWidth, KV = c.kvWidth
        embedding = try matrix("model.embed_tokens.weight", rows: c.vocabularySize, cols: C)
        layers = try (0..<c.layerCount).map { i in
            let p = "model.layers.\(i)."
            return LayerWeights(
                attentionNorm: try vector(p + "input_layernorm.weight", count: C),
                wq: try matrix(p + "self_attn.q_proj.weight", rows: Q, cols: C),
                wk: try matrix(p + "self_attn.k_proj.weight", rows: KV, cols: C),
                wv: try matrix(p + "self_attn.v_proj.weight", rows: KV, cols: C),
                bq: c.attentionBias ? try vector(p + "self_attn.q_proj.bias", count: Q) : nil,
                bk: c.attentionBias ? try vector(p + "self_attn.k_proj.bias", count: KV) : nil,
                bv: c.attentionBias ? try vector(p + "self_attn.v_proj.bias", count: KV) : nil,
                wo: try matrix(p + "self_attn.o_proj.weight", rows: C, cols: Q),
                mlpNorm: try vector(p + "post_attention_layernorm.weight", count: C),
                wGate: try matrix(p + "mlp.gate_proj.weight", rows: F, cols: C),
                wUp: try matrix(p + "mlp.up_proj.weight", rows: F, cols: C),
                wDown: try matrix(p + "mlp.down_proj.weight", rows: C, cols: F))
        }
        finalNorm = try vector("model.norm.weight", count: C)
        lmHead = c.tiedEmbeddings ? embedding : try matrix("lm_head.weight", rows: c.vocabularySize, cols: C)
    }
}
