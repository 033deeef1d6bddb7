import Foundation
import Testing
import Transformer

/// Logits of tiny random Qwen2 models against Hugging Face transformers' (fixtures from
/// scripts/fixtures/make_tiny_qwen2.py: torch 2.15.0, transformers 5.25.0, eager attention,
/// each sequence run on its own).
struct TinyHFModelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Expected: Decodable {
        struct Decode: Decodable {
            let prefix: [Int32]
            let next: [Int32]
            let logits: [[Float]]
        }
        let inputs: [[Int32]]
        let logits: [[[Float]]]
        let decode: Decode
    }

    func load(_ name: String) throws -> (TransformerModel, Expected) {
        let dir = Self.fixtures.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        return (try TransformerModel.load(path: dir.path), expected)
    }

    /// |ours − theirs| ≤ 1e-4 · |theirs| + 1e-4: relative 1e-4 with an absolute floor for logits
    /// near zero (transformers' own cached and uncached passes differ by up to ~6e-6).
    func expectClose(_ ours: ArraySlice<Float>, _ theirs: [Float], _ what: String) {
        #expect(ours.count == theirs.count)
        var worst: Float = 0
        for (a, b) in zip(ours, theirs) { worst = max(worst, abs(a - b) / (abs(b) + 1)) }
        #expect(worst <= 1e-4, "\(what): worst relative error \(worst)")
    }

    /// All three sequences (lengths 5, 11, 2) in one batched forward pass.
    @Test(arguments: ["tiny-qwen2", "tiny-qwen2-tied"])
    func batchedPrefillMatchesTransformers(name: String) throws {
        let (model, expected) = try load(name)
        #expect(model.config.tiedEmbeddings == (name == "tiny-qwen2-tied"))
        let cache = model.makeCache(capacityTokens: 64, blockSize: 4)
        let items = expected.inputs.map { ForwardItem(tokens: $0, sequence: SequenceKV(cache: cache), logits: .all) }
        let logits = try model.forward(items)
        for (i, input) in expected.inputs.enumerated() {
            #expect(logits.rowRanges[i].count == input.count)
            for (p, row) in logits.rowRanges[i].enumerated() {
                expectClose(logits.row(row), expected.logits[i][p], "\(name) sequence \(i) position \(p)")
            }
        }
    }

    /// Prefill, then one token at a time through the KV cache.
    @Test(arguments: ["tiny-qwen2", "tiny-qwen2-tied"])
    func cachedDecodeMatchesTransformers(name: String) throws {
        let (model, expected) = try load(name)
        let cache = model.makeCache(capacityTokens: 64, blockSize: 4)
        let sequence = SequenceKV(cache: cache)
        _ = try model.forward([ForwardItem(tokens: expected.decode.prefix, sequence: sequence)])
        for (step, token) in expected.decode.next.enumerated() {
            let logits = try model.forward([ForwardItem(tokens: [token], sequence: sequence)])
            expectClose(logits.last(of: 0), expected.decode.logits[step], "\(name) decode step \(step)")
        }
        #expect(sequence.length == expected.decode.prefix.count + expected.decode.next.count)
    }
}
