import Foundation
import ModelFormats
import Testing

/// `config.json` parsing for Qwen2 and Llama, with the defaults and checks of `HFConfig`.
struct HFConfigTests {
    /// Writes `text` to a fresh file and loads it.
    static func load(_ text: String) throws -> HFConfig {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try HFConfig.load(path: path)
    }

    /// Loading `text` fails with `.invalidConfig`, naming the file; returns the error.
    static func rejection(_ text: String) throws -> ModelFileError {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ModelFileError.self) { try HFConfig.load(path: path) }
        #expect(error.kind == .invalidConfig && error.path == path && error.description.hasPrefix(path))
        return error
    }

    /// Qwen2.5-0.5B-Instruct's config.json (transformers 4 layout, tied embeddings).
    static let qwen25 = """
    {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
     "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
     "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
     "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
     "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
     "torch_dtype": "bfloat16", "transformers_version": "4.43.1", "use_cache": true,
     "use_sliding_window": false, "vocab_size": 151936}
    """

    @Test func qwen2Tied() throws {
        let c = try Self.load(Self.qwen25)
        #expect(c.modelType == .qwen2 && c.architectures == ["Qwen2ForCausalLM"])
        #expect(c.hiddenSize == 896 && c.intermediateSize == 4864 && c.numHiddenLayers == 24)
        #expect(c.numAttentionHeads == 14 && c.numKeyValueHeads == 2 && c.queryGroupSize == 7)
        #expect(c.headDim == 64)
        #expect(c.rmsNormEps == 1e-6 && c.ropeTheta == 1_000_000)
        #expect(c.maxPositionEmbeddings == 32768 && c.vocabSize == 151936)
        #expect(c.tieWordEmbeddings)
        #expect(c.hasQKVBias && !c.hasOutputProjectionBias)
        #expect(c.bosTokenIds == [151643] && c.eosTokenIds == [151645] && c.torchDtype == "bfloat16")
    }

    /// The tiny model's config.json as transformers 5 writes it (rope_parameters, dtype), untied;
    /// a copy of Tests/TransformerTests/Fixtures/tiny-qwen2/config.json.
    @Test func qwen2UntiedTransformers5() throws {
        let c = try Self.load("""
        {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1, "dtype": "float32",
         "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 64, "initializer_range": 0.02,
         "intermediate_size": 160, "layer_types": ["full_attention", "full_attention", "full_attention"],
         "max_position_embeddings": 256, "max_window_layers": 28, "model_type": "qwen2",
         "num_attention_heads": 4, "num_hidden_layers": 3, "num_key_value_heads": 2, "pad_token_id": null,
         "rms_norm_eps": 1e-06, "rope_parameters": {"rope_theta": 50000.0, "rope_type": "default"},
         "sliding_window": null, "tie_word_embeddings": false, "transformers_version": "5.25.0",
         "use_cache": true, "use_sliding_window": false, "vocab_size": 128}
        """)
        #expect(c.headDim == 16 && c.numKeyValueHeads == 2 && c.ropeTheta == 50000)
        #expect(!c.tieWordEmbeddings && c.torchDtype == "float32" && c.maxPositionEmbeddings == 256)
    }

    @Test func qwen2Defaults() throws {
        let c = try Self.load("""
        {"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
         "num_attention_heads": 4, "vocab_size": 100, "attention_bias": false, "head_dim": 8}
        """)
        #expect(c.numKeyValueHeads == 4 && c.headDim == 8 && c.ropeTheta == 10000 && c.rmsNormEps == 1e-6)
        #expect(c.maxPositionEmbeddings == 32768 && !c.tieWordEmbeddings)
        #expect(c.hasQKVBias, "Qwen2 has q/k/v biases whatever attention_bias says")
        #expect(c.bosTokenIds.isEmpty && c.bosTokenId == nil && c.torchDtype == nil)
    }

    /// TinyLlama-1.1B's config.json (Llama 2 layout, untied, rope_scaling null).
    @Test func llamaUntied() throws {
        let c = try Self.load("""
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1, "eos_token_id": 2,
         "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632,
         "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32,
         "num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
         "transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000}
        """)
        #expect(c.modelType == .llama && c.headDim == 64 && c.queryGroupSize == 8 && c.rmsNormEps == 1e-5)
        #expect(!c.tieWordEmbeddings && !c.hasQKVBias && !c.hasOutputProjectionBias && !c.mlpBias)
    }

    @Test func llamaTiedWithHeadDimAndBias() throws {
        let c = try Self.load("""
        {"model_type": "llama", "hidden_size": 96, "intermediate_size": 128, "num_hidden_layers": 1,
         "num_attention_heads": 4, "head_dim": 32, "vocab_size": 50, "tie_word_embeddings": true,
         "attention_bias": true, "bos_token_id": null, "eos_token_id": [2, 7],
         "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}}
        """)
        #expect(c.headDim == 32 && c.numKeyValueHeads == 4 && c.maxPositionEmbeddings == 2048)
        #expect(c.tieWordEmbeddings && c.hasQKVBias && c.hasOutputProjectionBias)
        #expect(c.bosTokenIds == [] && c.eosTokenIds == [2, 7] && c.ropeTheta == 500_000)
    }

    @Test func encodesWhatItDecodes() throws {
        for text in [Self.qwen25, #"{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":9,"eos_token_id":[1,2],"attention_bias":true}"#] {
            let c = try Self.load(text)
            let again = try JSONDecoder().decode(HFConfig.self, from: JSONEncoder().encode(c))
            #expect(again == c)
        }
    }

    @Test func programmaticInitValidates() throws {
        let c = try HFConfig(modelType: .qwen2, hiddenSize: 64, intermediateSize: 160, numHiddenLayers: 3,
                             numAttentionHeads: 4, numKeyValueHeads: 2, vocabSize: 128)
        #expect(c.headDim == 16 && c.maxPositionEmbeddings == 32768)
        let error = try #require(throws: HFConfig.ValidationError.self) {
            try HFConfig(modelType: .qwen2, hiddenSize: 64, intermediateSize: 160, numHiddenLayers: 3,
                         numAttentionHeads: 4, numKeyValueHeads: 3, vocabSize: 128)
        }
        #expect(error.field == "num_key_value_heads" && error.message == "3 does not divide num_attention_heads = 4")
    }

    /// Small valid Llama config to break one field at a time.
    static let base = #"{"model_type": "llama", "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100}"#

    @Test(arguments: [
        ("num_key_value_heads", #""num_key_value_heads": 3"#),
        ("hidden_size", #""hidden_size": 66"#),
        ("hidden_size", #""hidden_size": "64""#),
        ("intermediate_size", #""intermediate_size": -5"#),
        ("num_hidden_layers", #""num_hidden_layers": 0"#),
        ("num_attention_heads", #""num_attention_heads": 0"#),
        ("head_dim", #""head_dim": 15"#),
        ("model_type", #""model_type": "gemma""#),
        ("rms_norm_eps", #""rms_norm_eps": 0"#),
        ("rope_theta", #""rope_theta": -1"#),
        ("rope_scaling", #""rope_scaling": {"rope_type": "llama3", "factor": 8.0}"#),
        ("rope_parameters", #""rope_parameters": {"rope_type": "yarn", "rope_theta": 10000}"#),
        ("use_sliding_window", #""use_sliding_window": true"#),
        ("hidden_act", #""hidden_act": "gelu""#),
        ("eos_token_id", #""eos_token_id": [2, -1]"#),
        ("eos_token_id", #""eos_token_id": "2""#),
        ("max_position_embeddings", #""max_position_embeddings": 0"#),
    ])
    func rejectsInvalidField(field: String, override: String) throws {
        // A later duplicate key would be ambiguous in JSON, so the override replaces the base's key.
        let key = String(override.split(separator: ":")[0])
        var parts = Self.base.dropFirst().dropLast().components(separatedBy: ", ").filter { !$0.hasPrefix(key + ":") }
        parts.append(override)
        let error = try Self.rejection("{" + parts.joined(separator: ", ") + "}")
        #expect(error.detail.contains("'\(field)"), "\(error)")
    }

    @Test func rejectsMissingFieldsAndBadJSON() throws {
        let missing = try Self.rejection(#"{"model_type": "qwen2", "hidden_size": 64}"#)
        #expect(missing.detail.contains("missing") && missing.detail.contains("'"), "\(missing)")
        let noVocab = try Self.rejection(Self.base.replacingOccurrences(of: #", "vocab_size": 100"#, with: ""))
        #expect(noVocab.detail.contains("'vocab_size'"), "\(noVocab)")
        let badIds = try Self.rejection(Self.base.replacingOccurrences(of: "}", with: #", "bos_token_id": "1"}"#))
        #expect(badIds.detail == "field 'bos_token_id': expected a token id, a list of token ids or null", "\(badIds)")
        let notJSON = try Self.rejection("{ model_type: qwen2 ")
        #expect(notJSON.detail.contains("JSON"), "\(notJSON)")
        let unreadable = try #require(throws: ModelFileError.self) { try HFConfig.load(path: "/nonexistent/config.json") }
        #expect(unreadable.kind == .unreadable && unreadable.path == "/nonexistent/config.json")
    }
}
