import Foundation
import ModelFormats
import TestSupport
import Testing
import Transformer

/// Bad model files and over-long prompts give typed, one-line errors naming the file and the
/// problem, never a crash, and a refused forward pass leaves the model and its cache usable
/// (acceptance point 5 of issue 2). Models are tiny Qwen2 GGUF files written by TestSupport's
/// GGUFWriter; ModelLoader.swift and ModelConfig(gguf:) are what is under test.
struct ModelLoadingErrorTests {
    // C hidden, H/Hkv heads, D head dim, F MLP width, L layers, V vocabulary.
    static let (C, H, Hkv, D, F, L, V) = (8, 2, 1, 4, 16, 2, 32)
    static let contextLength = 16

    /// A complete tiny Qwen2 model in F32 with tied embeddings, as llama.cpp names its tensors.
    static func tinyQwen2() -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", .string("qwen2"))
        w.set("qwen2.embedding_length", .uint32(UInt32(C)))
        w.set("qwen2.feed_forward_length", .uint32(UInt32(F)))
        w.set("qwen2.block_count", .uint32(UInt32(L)))
        w.set("qwen2.attention.head_count", .uint32(UInt32(H)))
        w.set("qwen2.attention.head_count_kv", .uint32(UInt32(Hkv)))
        w.set("qwen2.attention.layer_norm_rms_epsilon", .float32(1e-6))
        w.set("qwen2.rope.freq_base", .float32(10_000))
        w.set("qwen2.context_length", .uint32(UInt32(contextLength)))
        var state: UInt64 = 42
        func values(_ n: Int) -> [Float] {
            (0..<n).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return (Float(state >> 40) / Float(1 << 24) - 0.5) * 0.5
            }
        }
        func tensor(_ name: String, _ shape: [Int]) { w.addTensor(name, shape: shape, floats: values(shape.reduce(1, *))) }
        tensor("token_embd.weight", [C, V])
        for l in 0..<L {
            let p = "blk.\(l)."
            tensor(p + "attn_norm.weight", [C])
            tensor(p + "attn_q.weight", [C, H * D])
            tensor(p + "attn_k.weight", [C, Hkv * D])
            tensor(p + "attn_v.weight", [C, Hkv * D])
            tensor(p + "attn_q.bias", [H * D])
            tensor(p + "attn_k.bias", [Hkv * D])
            tensor(p + "attn_v.bias", [Hkv * D])
            tensor(p + "attn_output.weight", [H * D, C])
            tensor(p + "ffn_norm.weight", [C])
            tensor(p + "ffn_gate.weight", [C, F])
            tensor(p + "ffn_up.weight", [C, F])
            tensor(p + "ffn_down.weight", [F, C])
        }
        tensor("output_norm.weight", [C])
        return w
    }

    static func load(_ w: GGUFWriter) throws -> TransformerModel {
        let path = try w.write(name: "tiny-qwen2")
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try TransformerModel.load(path: path)
    }

    /// Loads the file `edit` makes of the tiny model and checks the error: `kind`, the path in
    /// front of a one-line description, and each of `fragments` in it.
    static func expectLoadFailure(_ kind: ModelFileError.Kind, _ fragments: [String],
                                  sourceLocation: SourceLocation = #_sourceLocation, _ edit: (inout GGUFWriter) -> Void) throws {
        var w = tinyQwen2()
        edit(&w)
        let path = try w.write(name: "tiny-qwen2-bad")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ModelFileError.self, sourceLocation: sourceLocation) { try TransformerModel.load(path: path) }
        guard let error else { return }
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.path == path && error.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        for f in fragments { #expect(error.detail.contains(f), "'\(f)' not in: \(error)", sourceLocation: sourceLocation) }
        print("  \(kind): \(error)")
    }

    static func tokens(_ n: Int) -> [Int32] { (0..<n).map { Int32(($0 * 7 + 3) % V) } }

    // MARK: Loading

    @Test func theTinyModelLoadsAndRuns() throws {
        let model = try Self.load(Self.tinyQwen2())
        let c = model.config
        #expect(c.architecture == .qwen2 && c.vocabularySize == Self.V && c.hiddenSize == Self.C && c.intermediateSize == Self.F)
        #expect(c.layerCount == Self.L && c.headCount == Self.H && c.kvHeadCount == Self.Hkv && c.headDim == Self.D)
        #expect(c.contextLength == Self.contextLength && c.tiedEmbeddings && c.attentionBias && c.ropePairing == .neox)
        let logits = try model.forward([ForwardItem(tokens: Self.tokens(5), sequence: SequenceKV(cache: model.makeCache(capacityTokens: 16)))])
        #expect(logits.values.count == Self.V && logits.values.allSatisfy(\.isFinite))
    }

    @Test(arguments: ["qwen2.embedding_length", "qwen2.attention.head_count", "qwen2.feed_forward_length", "qwen2.block_count",
                      "qwen2.attention.layer_norm_rms_epsilon", "qwen2.context_length", "general.architecture"])
    func missingRequiredMetadata(key: String) throws {
        try Self.expectLoadFailure(.missingMetadata, ["required metadata key '\(key)' is missing"]) { $0.remove(key) }
    }

    @Test func metadataOfTheWrongType() throws {
        try Self.expectLoadFailure(.wrongMetadataType, ["'qwen2.embedding_length' should be an integer, found string"]) {
            $0.set("qwen2.embedding_length", .string("8"))
        }
        // An optional key, when present, is checked too (it used to fall back to its default).
        try Self.expectLoadFailure(.wrongMetadataType, ["'qwen2.attention.head_count_kv' should be an integer, found f32"]) {
            $0.set("qwen2.attention.head_count_kv", .float32(1))
        }
    }

    @Test func tensorOfTheWrongShape() throws {
        try Self.expectLoadFailure(.wrongShape, ["tensor 'blk.1.attn_q.weight' has shape [8, 12], expected [8, 8]"]) {
            $0.editTensor("blk.1.attn_q.weight") { $0.shape = [8, 12]; $0.data = GGUFWriter.bytes(of: [Float](repeating: 0, count: 96)) }
        }
        try Self.expectLoadFailure(.wrongShape, ["tensor 'blk.0.attn_k.bias' has shape [2, 2], expected [4]"]) {
            $0.editTensor("blk.0.attn_k.bias") { $0.shape = [2, 2] }
        }
    }

    @Test func missingTensor() throws {
        try Self.expectLoadFailure(.missingTensor, ["tensor 'blk.1.ffn_up.weight' is missing"]) { $0.removeTensor("blk.1.ffn_up.weight") }
        try Self.expectLoadFailure(.missingTensor, ["tensor 'token_embd.weight' is missing"]) { $0.removeTensor("token_embd.weight") }
    }

    @Test func unsupportedArchitecture() throws {
        try Self.expectLoadFailure(.invalidConfig, ["architecture 'gpt2' is not supported", "expected qwen2 or llama"]) {
            $0.set("general.architecture", .string("gpt2"))
        }
    }

    @Test func inconsistentConfiguration() throws {
        // A zero head count used to divide by zero while deriving the head dimension.
        try Self.expectLoadFailure(.invalidConfig, ["head count must be between 1 and 2^31, found 0"]) {
            $0.set("qwen2.attention.head_count", .uint32(0))
        }
        try Self.expectLoadFailure(.invalidConfig, ["head count 2 is not a multiple of KV head count 3"]) {
            $0.set("qwen2.attention.head_count_kv", .uint32(3))
        }
        try Self.expectLoadFailure(.invalidConfig, ["context length must be between 1 and 2^31, found -1"]) {
            $0.set("qwen2.context_length", .int32(-1))
        }
        try Self.expectLoadFailure(.invalidConfig, ["hidden size must be between 1 and 2^31, found \(Int64(1) << 40)"]) {
            $0.set("qwen2.embedding_length", .int64(1 << 40))
        }
    }

    @Test func damagedFileThroughTheLoader() throws {
        let bytes = Self.tinyQwen2().bytes()
        let path = try GGUFWriter.writeTemporary(Array(bytes.prefix(bytes.count / 2)), name: "tiny-qwen2-cut")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ModelFileError.self) { try TransformerModel.load(path: path) }
        #expect(error.kind == .tensorOutOfBounds && error.description.hasPrefix(path + ": ") && error.detail.contains("truncated"), "\(error)")
        print("  \(error.kind): \(error)")

        let missing = try #require(throws: ModelFileError.self) { try TransformerModel.load(path: "/nonexistent/tiny.gguf") }
        #expect(missing.kind == .unreadable && missing.description == "/nonexistent/tiny.gguf: no such file or directory")
    }

    // MARK: Prompts longer than the context

    @Test func promptLongerThanTheContextIsRefusedAndChangesNothing() throws {
        let model = try Self.load(Self.tinyQwen2())
        let cache = model.makeCache(capacityTokens: 64, blockSize: 4)
        let free = cache.freeBlockCount
        let sequence = SequenceKV(cache: cache)
        let prompt = Self.tokens(Self.contextLength + 1)

        let error = try #require(throws: ForwardError.self) { try model.forward([ForwardItem(tokens: prompt, sequence: sequence)]) }
        #expect(error == .contextOverflow(length: 17, limit: 16))
        #expect(error.description == "sequence of 17 tokens exceeds the context length of 16")
        print("  \(error)")
        #expect(sequence.length == 0 && sequence.blockTable.isEmpty && cache.freeBlockCount == free)

        // The same cache then takes a prompt that fits, with the logits of a fresh cache.
        let fits = Array(prompt.prefix(Self.contextLength))
        let logits = try model.forward([ForwardItem(tokens: fits, sequence: sequence, logits: .all)])
        let fresh = try model.forward([ForwardItem(tokens: fits, sequence: SequenceKV(cache: model.makeCache(capacityTokens: 16)), logits: .all)])
        #expect(logits.values == fresh.values)
        #expect(sequence.length == 16 && cache.freeBlockCount == free - 4)

        // A full sequence refuses one more token and keeps its state.
        let more = try #require(throws: ForwardError.self) { try model.forward([ForwardItem(tokens: [1], sequence: sequence)]) }
        #expect(more == .contextOverflow(length: 17, limit: 16))
        #expect(sequence.length == 16 && cache.freeBlockCount == free - 4)
        // After a rollback it continues.
        sequence.truncate(to: 15)
        #expect(try model.forward([ForwardItem(tokens: [1], sequence: sequence)]).values.count == Self.V)
    }

    /// One over-long sequence in a batch refuses the whole batch before any cache is touched.
    @Test func overflowInABatchLeavesEverySequenceUnchanged() throws {
        let model = try Self.load(Self.tinyQwen2())
        let cache = model.makeCache(capacityTokens: 64, blockSize: 4)
        let (a, b) = (SequenceKV(cache: cache), SequenceKV(cache: cache))
        _ = try model.forward([ForwardItem(tokens: Self.tokens(6), sequence: a)])
        let free = cache.freeBlockCount
        let error = try #require(throws: ForwardError.self) {
            try model.forward([ForwardItem(tokens: Self.tokens(3), sequence: a), ForwardItem(tokens: Self.tokens(20), sequence: b)])
        }
        #expect(error == .contextOverflow(length: 20, limit: 16))
        #expect(a.length == 6 && b.length == 0 && a.blockTable.count == 2 && b.blockTable.isEmpty && cache.freeBlockCount == free)

        // Token ids outside the vocabulary are refused the same way.
        let outside = try #require(throws: ForwardError.self) { try model.forward([ForwardItem(tokens: [3, Int32(Self.V)], sequence: a)]) }
        #expect(outside == .tokenOutOfRange(32, vocabularySize: 32) && outside.description == "token id 32 is outside the vocabulary (0..<32)")
        print("  \(outside)")
        #expect(a.length == 6 && cache.freeBlockCount == free)

        // `a` continues exactly as if the refused passes had never happened.
        let next = try model.forward([ForwardItem(tokens: Self.tokens(3), sequence: a)])
        let replay = SequenceKV(cache: cache)
        _ = try model.forward([ForwardItem(tokens: Self.tokens(6), sequence: replay)])
        #expect(try model.forward([ForwardItem(tokens: Self.tokens(3), sequence: replay)]).values == next.values)
    }

    /// The Hugging Face fixture (max_position_embeddings 256) refuses 257 tokens the same way.
    @Test func huggingFaceModelRefusesAPromptPastItsContext() throws {
        let model = try TransformerModel.load(path: RealModels.fixture("tiny-qwen2").path)
        #expect(model.config.contextLength == 256)
        let cache = model.makeCache(capacityTokens: 512, blockSize: 16)
        let sequence = SequenceKV(cache: cache)
        let error = try #require(throws: ForwardError.self) {
            try model.forward([ForwardItem(tokens: [Int32](repeating: 1, count: 257), sequence: sequence)])
        }
        #expect(error == .contextOverflow(length: 257, limit: 256))
        #expect(sequence.length == 0 && cache.freeBlockCount == cache.blockCount)
        #expect(try model.forward([ForwardItem(tokens: [Int32](repeating: 1, count: 256), sequence: sequence)]).values.count == model.config.vocabularySize)
    }
}
