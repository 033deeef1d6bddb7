import ModelFormats

/// Shape and numerics of a decoder-only transformer of the Qwen2/Llama family.
public struct ModelConfig: Codable, Sendable, Equatable {
    public enum Architecture: String, Codable, Sendable { case qwen2, llama }

    public var architecture: Architecture
    public var vocabularySize: Int
    /// C: width of the residual stream.
    public var hiddenSize: Int
    /// F: width of the SwiGLU MLP.
    public var intermediateSize: Int
    public var layerCount: Int
    /// H: query heads.
    public var headCount: Int
    /// Hkv: key/value heads (grouped-query attention when < H).
    public var kvHeadCount: Int
    /// D: per-head dimension.
    public var headDim: Int
    public var ropeTheta: Double
    public var rmsNormEps: Float
    /// Longest sequence the model was trained for; prompts beyond it are refused.
    public var contextLength: Int
    /// The LM head reuses the token embedding matrix.
    public var tiedEmbeddings: Bool
    /// Q, K and V projections carry biases (always for Qwen2).
    public var attentionBias: Bool
    public var ropePairing: RopePairing

    public enum RopePairing: String, Codable, Sendable { case neox, interleaved }

    public var queryWidth: Int { headCount * headDim }
    public var kvWidth: Int { kvHeadCount * headDim }

    /// Checks the invariants the forward pass relies on.
    public func validate(source path: String) throws {
        func fail(_ what: String) -> ModelFileError { ModelFileError(.invalidConfig, path: path, what) }
        for (name, value) in [("vocabulary size", vocabularySize), ("hidden size", hiddenSize), ("intermediate size", intermediateSize),
                              ("layer count", layerCount), ("head count", headCount), ("KV head count", kvHeadCount),
                              ("head dimension", headDim), ("context length", contextLength)] where value <= 0 || value > 1 << 31 {
            // The upper bound keeps products of two sizes (head count × head dimension …) from
            // overflowing; real models are orders of magnitude below it.
            throw fail("\(name) must be between 1 and 2^31, found \(value)")
        }
        guard headCount % kvHeadCount == 0 else { throw fail("head count \(headCount) is not a multiple of KV head count \(kvHeadCount)") }
        guard headDim % 2 == 0 else { throw fail("head dimension \(headDim) must be even for RoPE") }
        guard ropeTheta > 0, rmsNormEps > 0 else { throw fail("rope theta and RMS eps must be positive") }
    }
}

extension ModelConfig {
    /// Reads the configuration from GGUF metadata (`<arch>.embedding_length` and friends).
    public init(gguf f: GGUFFile) throws {
        let arch = try f.string("general.architecture")
        guard let architecture = Architecture(rawValue: arch) else {
            throw ModelFileError(.invalidConfig, path: f.path, "architecture '\(arch)' is not supported (expected qwen2 or llama)")
        }
        // Optional keys may be absent, but one that is present must have the right type.
        func optional<T>(_ key: String, _ read: (String) throws -> T) throws -> T? {
            f.metadata[key] == nil ? nil : try read(key)
        }
        let hidden = try f.int("\(arch).embedding_length")
        let heads = try f.int("\(arch).attention.head_count")
        // A zero head count must reach `validate` as an error, not divide by zero here.
        let headDim = try optional("\(arch).attention.key_length", f.int) ?? (heads > 0 ? hidden / heads : 0)
        let embedding = f.tensorInfo("token_embd.weight")
        guard let embedding else {
            throw ModelFileError(.missingTensor, path: f.path, "tensor 'token_embd.weight' is missing")
        }
        self.init(
            architecture: architecture,
            vocabularySize: embedding.shape.count > 1 ? embedding.shape[1] : 0,
            hiddenSize: hidden,
            intermediateSize: try f.int("\(arch).feed_forward_length"),
            layerCount: try f.int("\(arch).block_count"),
            headCount: heads,
            kvHeadCount: try optional("\(arch).attention.head_count_kv", f.int) ?? heads,
            headDim: headDim,
            ropeTheta: try optional("\(arch).rope.freq_base", f.double) ?? 10_000,
            rmsNormEps: Float(try f.double("\(arch).attention.layer_norm_rms_epsilon")),
            contextLength: try f.int("\(arch).context_length"),
            tiedEmbeddings: f.tensorInfo("output.weight") == nil,
            attentionBias: f.tensorInfo("blk.0.attn_q.bias") != nil,
            // llama.cpp's converter permutes Llama's Q/K rows into the interleaved layout;
            // Qwen2 keeps Hugging Face's rotate-half layout.
            ropePairing: architecture == .llama ? .interleaved : .neox)
        try validate(source: f.path)
    }
}
