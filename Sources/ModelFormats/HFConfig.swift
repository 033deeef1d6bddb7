import Foundation

/// The `config.json` of a Hugging Face Qwen2 or Llama checkpoint: the sizes and constants the
/// transformer needs, with Hugging Face's defaults applied for fields a file leaves out.
/// Decoding validates, so a value of this type always describes a model that can be built.
///
/// Field meanings follow `transformers`' `Qwen2Config` and `LlamaConfig`. Two places where the
/// architectures differ although the keys look alike:
/// - Qwen2 always has biases on the q/k/v projections and none on the output projection, whatever
///   `attention_bias` says (the key is not part of `Qwen2Config`); Llama's `attention_bias` puts
///   biases on all four. Use `hasQKVBias` and `hasOutputProjectionBias`.
/// - `head_dim` is optional in both; when absent it is `hidden_size / num_attention_heads`.
public struct HFConfig: Codable, Sendable, Equatable {
    public enum ModelType: String, Codable, Sendable, CaseIterable {
        case qwen2, llama
    }

    /// A config that cannot describe a model; `field` is the `config.json` key at fault.
    public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
        public let field: String
        public let message: String
        public var description: String { "field '\(field)': \(message)" }
    }

    public let modelType: ModelType
    /// `architectures`, e.g. `["Qwen2ForCausalLM"]`; empty when absent.
    public let architectures: [String]
    public let hiddenSize: Int
    public let intermediateSize: Int
    public let numHiddenLayers: Int
    public let numAttentionHeads: Int
    /// Defaults to `numAttentionHeads` (no grouping). HF's `Qwen2Config` literally defaults to 32,
    /// which agrees only when there are 32 heads; every released Qwen2 config states the value.
    public let numKeyValueHeads: Int
    public let headDim: Int
    public let rmsNormEps: Double
    /// RoPE base frequency: top-level `rope_theta`, or `rope_parameters.rope_theta` as
    /// transformers 5 writes it; 10000 when absent.
    public let ropeTheta: Double
    public let maxPositionEmbeddings: Int
    public let vocabSize: Int
    /// Whether the LM head reuses the token embedding (`lm_head.weight` is then absent from the
    /// weights). HF's default is false for both architectures; Qwen2.5's small models set true.
    public let tieWordEmbeddings: Bool
    /// The `attention_bias` key (Llama only; false when absent). See `hasQKVBias`.
    public let attentionBias: Bool
    /// The `mlp_bias` key (Llama only; false when absent): biases on gate, up and down projections.
    public let mlpBias: Bool
    /// `bos_token_id`, which may be a number, a list or null.
    public let bosTokenIds: [Int]
    /// `eos_token_id`, which may be a number, a list or null.
    public let eosTokenIds: [Int]
    /// The dtype the weights were saved in (`torch_dtype`, or `dtype` in transformers 5), e.g. "bfloat16".
    public let torchDtype: String?

    public var hasQKVBias: Bool { modelType == .qwen2 || attentionBias }
    public var hasOutputProjectionBias: Bool { modelType == .llama && attentionBias }
    /// Query heads sharing one key/value head.
    public var queryGroupSize: Int { numAttentionHeads / numKeyValueHeads }
    public var bosTokenId: Int? { bosTokenIds.first }

    /// A validated config; defaults are Hugging Face's.
    public init(modelType: ModelType, architectures: [String] = [], hiddenSize: Int, intermediateSize: Int,
                numHiddenLayers: Int, numAttentionHeads: Int, numKeyValueHeads: Int? = nil, headDim: Int? = nil,
                rmsNormEps: Double = 1e-6, ropeTheta: Double = 10000, maxPositionEmbeddings: Int? = nil,
                vocabSize: Int, tieWordEmbeddings: Bool = false, attentionBias: Bool = false, mlpBias: Bool = false,
                bosTokenIds: [Int] = [], eosTokenIds: [Int] = [], torchDtype: String? = nil) throws {
        func positive(_ value: Int, _ field: String) throws {
            guard value > 0 else { throw ValidationError(field: field, message: "must be positive, found \(value)") }
        }
        try positive(hiddenSize, "hidden_size")
        try positive(intermediateSize, "intermediate_size")
        try positive(numHiddenLayers, "num_hidden_layers")
        try positive(numAttentionHeads, "num_attention_heads")
        try positive(vocabSize, "vocab_size")
        let kvHeads = numKeyValueHeads ?? numAttentionHeads
        try positive(kvHeads, "num_key_value_heads")
        guard numAttentionHeads % kvHeads == 0 else {
            throw ValidationError(field: "num_key_value_heads",
                                  message: "\(kvHeads) does not divide num_attention_heads = \(numAttentionHeads)")
        }
        if let headDim {
            try positive(headDim, "head_dim")
        } else {
            guard hiddenSize % numAttentionHeads == 0 else {
                throw ValidationError(field: "hidden_size",
                                      message: "\(hiddenSize) is not divisible by num_attention_heads = \(numAttentionHeads) and head_dim is not given")
            }
        }
        let headDim = headDim ?? hiddenSize / numAttentionHeads
        // RoPE rotates pairs of dimensions (first half with second half).
        guard headDim % 2 == 0 else {
            throw ValidationError(field: "head_dim", message: "must be even for rotary embeddings, found \(headDim)")
        }
        guard rmsNormEps > 0, rmsNormEps.isFinite else {
            throw ValidationError(field: "rms_norm_eps", message: "must be positive, found \(rmsNormEps)")
        }
        guard ropeTheta > 0, ropeTheta.isFinite else {
            throw ValidationError(field: "rope_theta", message: "must be positive, found \(ropeTheta)")
        }
        let maxPositions = maxPositionEmbeddings ?? (modelType == .qwen2 ? 32768 : 2048)
        try positive(maxPositions, "max_position_embeddings")
        for (ids, field) in [(bosTokenIds, "bos_token_id"), (eosTokenIds, "eos_token_id")] {
            if let bad = ids.first(where: { $0 < 0 }) {
                throw ValidationError(field: field, message: "token id \(bad) is negative")
            }
        }

        self.modelType = modelType
        self.architectures = architectures
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = kvHeads
        self.headDim = headDim
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositions
        self.vocabSize = vocabSize
        self.tieWordEmbeddings = tieWordEmbeddings
        self.attentionBias = attentionBias
        self.mlpBias = mlpBias
        self.bosTokenIds = bosTokenIds
        self.eosTokenIds = eosTokenIds
        self.torchDtype = torchDtype
    }

    /// Reads and validates `config.json`; every problem is a `ModelFileError` (`.unreadable` or
    /// `.invalidConfig`) naming the file and the field.
    public static func load(path: String) throws -> HFConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelFileError(.unreadable, path: path, "cannot read: \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(HFConfig.self, from: data)
        } catch let error as DecodingError {
            throw ModelFileError(.invalidConfig, path: path, error.fieldDescription)
        }
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", architectures
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim"
        case rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta"
        case ropeParameters = "rope_parameters", ropeScaling = "rope_scaling"
        case maxPositionEmbeddings = "max_position_embeddings", vocabSize = "vocab_size"
        case tieWordEmbeddings = "tie_word_embeddings", attentionBias = "attention_bias", mlpBias = "mlp_bias"
        case bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
        case torchDtype = "torch_dtype", dtype
        case hiddenAct = "hidden_act", useSlidingWindow = "use_sliding_window"
    }

    /// `rope_parameters` (transformers 5) or `rope_scaling` (earlier): only plain RoPE is supported.
    private struct RopeParameters: Decodable {
        let ropeTheta: Double?
        let ropeType: String?
        let type: String?
        enum CodingKeys: String, CodingKey { case ropeTheta = "rope_theta", ropeType = "rope_type", type }
    }

    /// A token id field that may be a number, a list of numbers or null.
    private struct TokenIds: Codable {
        let ids: [Int]
        init(_ ids: [Int]) { self.ids = ids }
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                ids = []
            } else if let id = try? c.decode(Int.self) {
                ids = [id]
            } else if let list = try? c.decode([Int].self) {
                ids = list
            } else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a token id, a list of token ids or null")
            }
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch ids.count {
            case 0: try c.encodeNil()
            case 1: try c.encode(ids[0])
            default: try c.encode(ids)
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try c.decode(String.self, forKey: .modelType)
        guard let modelType = ModelType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .modelType, in: c, debugDescription:
                "model type '\(typeName)' is not supported (supported: \(ModelType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let activation = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "silu"
        guard activation == "silu" else {
            throw DecodingError.dataCorruptedError(forKey: .hiddenAct, in: c, debugDescription:
                "activation '\(activation)' is not supported (the MLP is SwiGLU: expected 'silu')")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) == true {
            throw DecodingError.dataCorruptedError(forKey: .useSlidingWindow, in: c, debugDescription:
                "sliding-window attention is not supported")
        }
        var ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        for key in [CodingKeys.ropeParameters, .ropeScaling] {
            guard let rope = try c.decodeIfPresent(RopeParameters.self, forKey: key) else { continue }
            let kind = rope.ropeType ?? rope.type ?? "default"
            guard kind == "default" else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription:
                    "RoPE scaling '\(kind)' is not supported (only plain RoPE)")
            }
            ropeTheta = ropeTheta ?? rope.ropeTheta
        }

        do {
            try self.init(
                modelType: modelType,
                architectures: c.decodeIfPresent([String].self, forKey: .architectures) ?? [],
                hiddenSize: c.decode(Int.self, forKey: .hiddenSize),
                intermediateSize: c.decode(Int.self, forKey: .intermediateSize),
                numHiddenLayers: c.decode(Int.self, forKey: .numHiddenLayers),
                numAttentionHeads: c.decode(Int.self, forKey: .numAttentionHeads),
                numKeyValueHeads: c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads),
                headDim: c.decodeIfPresent(Int.self, forKey: .headDim),
                rmsNormEps: c.decodeIfPresent(Double.self, forKey: .rmsNormEps) ?? 1e-6,
                ropeTheta: ropeTheta ?? 10000,
                maxPositionEmbeddings: c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings),
                vocabSize: c.decode(Int.self, forKey: .vocabSize),
                tieWordEmbeddings: c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false,
                attentionBias: c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false,
                mlpBias: c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? false,
                bosTokenIds: c.decodeIfPresent(TokenIds.self, forKey: .bosTokenId)?.ids ?? [],
                eosTokenIds: c.decodeIfPresent(TokenIds.self, forKey: .eosTokenId)?.ids ?? [],
                torchDtype: c.decodeIfPresent(String.self, forKey: .torchDtype) ?? c.decodeIfPresent(String.self, forKey: .dtype))
        } catch let error as ValidationError {
            throw DecodingError.dataCorruptedError(forKey: CodingKeys(rawValue: error.field) ?? .modelType, in: c,
                                                   debugDescription: error.message)
        }
    }

    /// Writes the keys `transformers` reads, so the file loads in Python as well.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelType, forKey: .modelType)
        if !architectures.isEmpty { try c.encode(architectures, forKey: .architectures) }
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numKeyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(headDim, forKey: .headDim)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        if modelType == .llama {
            try c.encode(attentionBias, forKey: .attentionBias)
            try c.encode(mlpBias, forKey: .mlpBias)
        }
        try c.encode(TokenIds(bosTokenIds), forKey: .bosTokenId)
        try c.encode(TokenIds(eosTokenIds), forKey: .eosTokenId)
        try c.encodeIfPresent(torchDtype, forKey: .torchDtype)
        try c.encode("silu", forKey: .hiddenAct)
    }
}
