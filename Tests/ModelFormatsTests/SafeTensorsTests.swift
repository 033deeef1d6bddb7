import Compute
import Foundation
@testable import ModelFormats
import Testing

/// safetensors reading, writing and rejection of malformed files. The Python fixture comes from
/// scripts/fixtures/make_safetensors_fixture.py.
struct SafeTensorsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fresh empty directory under the system's temporary directory.
    static func scratchDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A deterministic stream of values in about [-4, 4) (64-bit LCG, top 24 bits).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) - 0.5) * 8
        }
    }

    // MARK: Reading a file made by the Python package

    @Test func readsFileWrittenByPythonPackage() throws {
        let file = try SafeTensorsFile(path: Self.fixtures.appendingPathComponent("python.safetensors").path)
        let expectedData = try Data(contentsOf: Self.fixtures.appendingPathComponent("python-expected.json"))
        let expected = try JSONSerialization.jsonObject(with: expectedData) as! [String: Any]
        #expect(file.metadata == expected["metadata"] as! [String: String])
        let tensors = expected["tensors"] as! [String: [String: Any]]
        #expect(Set(file.tensors.map(\.name)) == Set(tensors.keys))
        for (name, entry) in tensors {
            let info = try #require(file.tensorInfo(name))
            #expect(info.dtype.rawValue == entry["dtype"] as! String, "\(name)")
            #expect(info.shape == entry["shape"] as! [Int], "\(name)")
            guard let bits = entry["bits"] as? [UInt32] else { continue }
            let values = try file.floats(name)
            #expect(values.map(\.bitPattern) == bits, "\(name)")
        }
        #expect(file.tensorInfo("scale")?.shape == [])
        #expect(file.tensorInfo("scale")?.elementCount == 1)

        let (info, raw) = try file.data("position_ids")
        #expect(info.type == nil)
        #expect((0..<4).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) } == [0, 1, 2, 3])
        let error = try #require(throws: ModelFileError.self) { try file.floats("position_ids") }
        #expect(error.kind == .unsupportedTensorType)
        #expect(error.description.contains("python.safetensors") && error.description.contains("I64"))
    }

    /// The tiny Qwen2 checkpoints that transformers saved for the forward-pass tests
    /// (scripts/fixtures/make_tiny_qwen2.py): every tensor present with the shape the config implies.
    @Test(arguments: ["tiny-qwen2", "tiny-qwen2-tied"])
    func readsTransformersCheckpoint(name: String) throws {
        let dir = Self.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TransformerTests/Fixtures/\(name)").path
        let config = try HFConfig.load(path: dir + "/config.json")
        let model = try SafeTensorsDirectory(path: dir)
        let (h, kv, d, v, f) = (config.hiddenSize, config.numKeyValueHeads * config.headDim, config.headDim, config.vocabSize, config.intermediateSize)
        var expected: [String: [Int]] = ["model.embed_tokens.weight": [v, h], "model.norm.weight": [h]]
        if !config.tieWordEmbeddings { expected["lm_head.weight"] = [v, h] }
        for l in 0..<config.numHiddenLayers {
            let p = "model.layers.\(l)."
            expected[p + "input_layernorm.weight"] = [h]
            expected[p + "post_attention_layernorm.weight"] = [h]
            expected[p + "self_attn.q_proj.weight"] = [config.numAttentionHeads * d, h]
            expected[p + "self_attn.q_proj.bias"] = [config.numAttentionHeads * d]
            expected[p + "self_attn.k_proj.weight"] = [kv, h]
            expected[p + "self_attn.k_proj.bias"] = [kv]
            expected[p + "self_attn.v_proj.weight"] = [kv, h]
            expected[p + "self_attn.v_proj.bias"] = [kv]
            expected[p + "self_attn.o_proj.weight"] = [h, config.numAttentionHeads * d]
            expected[p + "mlp.gate_proj.weight"] = [f, h]
            expected[p + "mlp.up_proj.weight"] = [f, h]
            expected[p + "mlp.down_proj.weight"] = [h, f]
        }
        #expect(model.tensorNames == expected.keys.sorted())
        for (tensor, shape) in expected {
            #expect(model.tensorInfo(tensor)?.shape == shape && model.tensorInfo(tensor)?.type == .f32, "\(tensor)")
        }
        let bias = try model.floats("model.layers.0.self_attn.q_proj.bias")
        #expect(bias.contains { $0 != 0 })
    }

    // MARK: Writing

    @Test(arguments: [TensorType.f32, .f16, .bf16])
    func roundTrip(type: TensorType) throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/round-trip.safetensors"
        let shapes = [[3, 17], [1], [5, 1, 3], [], [0, 4]]
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "step": "12"])
        for (i, shape) in shapes.enumerated() {
            writer.add("t\(i)", shape: shape, values: Self.values(shape.reduce(1, *), seed: UInt64(i)), as: type)
        }
        writer.add("bias", shape: [2], values: [1.5, -2], as: .f32) // mixed sizes in one file
        try writer.write(to: path)

        let file = try SafeTensorsFile(path: path)
        #expect(file.metadata == ["format": "pt", "step": "12"])
        #expect(file.dataOffset % 8 == 0)
        for (i, shape) in shapes.enumerated() {
            let info = try #require(file.tensorInfo("t\(i)"))
            #expect(info.type == type && info.shape == shape)
            #expect((info.fileOffset - file.dataOffset) % type.blockBytes == 0, "t\(i) is misaligned")
            let expected = Self.values(shape.reduce(1, *), seed: UInt64(i)).map { x -> Float in
                switch type {
                case .f16: Float(Float16(x))
                case .bf16: Self.nearestBF16(x)
                default: x
                }
            }
            #expect(try file.floats("t\(i)").map(\.bitPattern) == expected.map(\.bitPattern), "t\(i)")
        }
        #expect(try file.floats("bias") == [1.5, -2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["round-trip.safetensors"])
    }

    /// Round to nearest bf16 by comparing the two neighbours (independent of the writer's bit trick).
    static func nearestBF16(_ x: Float) -> Float {
        let down = Float(bitPattern: x.bitPattern & 0xFFFF_0000)
        let up = Float(bitPattern: (x.bitPattern & 0xFFFF_0000) + 0x1_0000)
        let (dDown, dUp) = (abs(Double(x) - Double(down)), abs(Double(x) - Double(up)))
        if dDown != dUp { return dDown < dUp ? down : up }
        return (down.bitPattern >> 16) & 1 == 0 ? down : up
    }

    @Test func bf16RoundingOfSpecialValues() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3F80), (-0.0, 0x8000), (.infinity, 0x7F80), (-.infinity, 0xFF80),
            (Float(bitPattern: 0x3F80_8000), 0x3F80), // tie, even stays
            (Float(bitPattern: 0x3F81_8000), 0x3F82), // tie, odd rounds up
            (Float(bitPattern: 0x3F80_8001), 0x3F81),
            (.greatestFiniteMagnitude, 0x7F80),        // rounds past the largest bf16
        ]
        for (x, bits) in cases { #expect(SafeTensorsWriter.bf16Bits(x) == bits, "\(x)") }
        let nan = Float(bitPattern: 0x7F80_0001) // a NaN whose payload is all in the low half
        #expect(Dequantize.bf16ToFloat(SafeTensorsWriter.bf16Bits(nan)).isNaN)
    }

    @Test func writerEscapesNamesAndReplacesFiles() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/w.safetensors"
        try "old contents".write(toFile: path, atomically: false, encoding: .utf8)
        let name = "odd \"name\"\\\n\u{1}é"
        var writer = SafeTensorsWriter(metadata: ["k\"ey": "v\talue"])
        writer.add(name, shape: [2], values: [3, 4])
        try writer.write(to: path)
        let file = try SafeTensorsFile(path: path)
        #expect(try file.floats(name) == [3, 4])
        #expect(file.metadata == ["k\"ey": "v\talue"])
    }

    @Test func writeIntoMissingDirectoryFails() throws {
        let path = "/nonexistent-\(UUID().uuidString)/x.safetensors"
        var writer = SafeTensorsWriter()
        writer.add("x", shape: [1], values: [1])
        let error = try #require(throws: ModelFileError.self) { try writer.write(to: path) }
        #expect(error.kind == .unwritable && error.path == path)
    }

    // MARK: Malformed files

    /// A file made of a u64 header length (`length` or the real one), the header text and `data`.
    static func rawFile(_ dir: String, _ header: String, data: [UInt8] = [], length: UInt64? = nil) throws -> String {
        let h = Array(header.utf8)
        var bytes = withUnsafeBytes(of: (length ?? UInt64(h.count)).littleEndian, Array.init)
        bytes += h + data
        let path = dir + "/bad-\(UUID().uuidString).safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let tensor = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    @Test(arguments: [
        ("empty file", "", nil, 0, ModelFileError.Kind.truncated),
        ("header length past end of file", tensor, UInt64(4096), 8, .truncated),
        ("implausible header length", tensor, UInt64(1) << 40, 8, .malformedHeader),
        ("not JSON", #"{"w": {"dtype": "F32", "#, nil, 8, .malformedHeader),
        ("not an object", "[1, 2]", nil, 8, .malformedHeader),
        ("missing data_offsets", #"{"w":{"dtype":"F32","shape":[2]}}"#, nil, 8, .malformedHeader),
        ("metadata not strings", #"{"__metadata__":{"a":1}}"#, nil, 0, .malformedHeader),
        ("three offsets", #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}"#, nil, 8, .malformedHeader),
        ("descending offsets", #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, nil, 8, .malformedHeader),
        ("negative dimension", #"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, nil, 8, .malformedHeader),
        ("offsets out of range", #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[64,72]}}"#, nil, 8, .tensorOutOfBounds),
        ("size mismatch", #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, nil, 8, .wrongShape),
        ("unknown dtype", #"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, nil, 8, .unknownTensorType),
        ("overlap", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}"#, nil, 8, .malformedHeader),
        ("truncated data", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#, nil, 12, .truncated),
    ] as [(String, String, UInt64?, Int, ModelFileError.Kind)])
    func malformed(_ what: String, header: String, length: UInt64?, dataBytes: Int, kind: ModelFileError.Kind) throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try what == "empty file"
            ? { try Data().write(to: URL(fileURLWithPath: dir + "/empty.safetensors")); return dir + "/empty.safetensors" }()
            : Self.rawFile(dir, header, data: [UInt8](repeating: 0, count: dataBytes), length: length)
        let error = try #require(throws: ModelFileError.self, "\(what)") { try SafeTensorsFile(path: path) }
        #expect(error.kind == kind, "\(what): \(error)")
        #expect(error.path == path && error.description.hasPrefix(path), "\(what)")
    }

    @Test func fileCutShortIsTruncated() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/cut.safetensors"
        var writer = SafeTensorsWriter()
        writer.add("a", shape: [4, 4], values: Self.values(16, seed: 1))
        writer.add("b", shape: [3], values: Self.values(3, seed: 2), as: .bf16)
        try writer.write(to: path)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [1, 7, 40] {
            try whole.prefix(whole.count - cut).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: ModelFileError.self) { try SafeTensorsFile(path: path) }
            #expect(error.kind == .truncated && error.description.contains("cut.safetensors"), "cut \(cut): \(error)")
        }
    }

    @Test func missingFileIsUnreadable() throws {
        let error = try #require(throws: ModelFileError.self) { try SafeTensorsFile(path: "/nonexistent/model.safetensors") }
        #expect(error.kind == .unreadable && error.path == "/nonexistent/model.safetensors")
    }

    // MARK: Sharded directories

    static func shard(_ path: String, _ tensors: [String: [Float]]) throws {
        var writer = SafeTensorsWriter()
        for (name, values) in tensors.sorted(by: { $0.key < $1.key }) { writer.add(name, shape: [values.count], values: values) }
        try writer.write(to: path)
    }

    static func index(_ dir: String, _ map: [String: String]) throws {
        let json = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": map])
        try json.write(to: URL(fileURLWithPath: dir + "/" + SafeTensorsDirectory.indexFileName))
    }

    @Test func shardedDirectory() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.shard(dir + "/model-00001-of-00002.safetensors", ["a": [1, 2], "b": [3]])
        try Self.shard(dir + "/model-00002-of-00002.safetensors", ["c": [4, 5, 6]])
        try Self.index(dir, ["a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
                             "c": "model-00002-of-00002.safetensors"])
        let model = try SafeTensorsDirectory(path: dir)
        #expect(model.files.count == 2)
        #expect(model.tensorNames == ["a", "b", "c"])
        #expect(try model.floats("c") == [4, 5, 6])
        #expect(model.file(containing: "b")?.path == dir + "/model-00001-of-00002.safetensors")
        let missing = try #require(throws: ModelFileError.self) { try model.floats("d") }
        #expect(missing.kind == .missingTensor)

        try Self.index(dir, ["a": "model-00001-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"])
        let misplaced = try #require(throws: ModelFileError.self) { try SafeTensorsDirectory(path: dir) }
        #expect(misplaced.kind == .missingTensor && misplaced.description.contains("'c'"), "\(misplaced)")

        try Self.index(dir, ["a": "model-00003-of-00002.safetensors"])
        let absent = try #require(throws: ModelFileError.self) { try SafeTensorsDirectory(path: dir) }
        #expect(absent.kind == .unreadable && absent.path.hasSuffix("model-00003-of-00002.safetensors"))

        try Self.index(dir, ["a": "../outside.safetensors"])
        let escaping = try #require(throws: ModelFileError.self) { try SafeTensorsDirectory(path: dir) }
        #expect(escaping.kind == .malformedHeader && escaping.path.hasSuffix(SafeTensorsDirectory.indexFileName))
    }

    @Test func directoryWithoutIndex() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = try #require(throws: ModelFileError.self) { try SafeTensorsDirectory(path: dir) }
        #expect(empty.kind == .unreadable && empty.path == dir)

        try Self.shard(dir + "/model.safetensors", ["x": [7]])
        #expect(try SafeTensorsDirectory(path: dir).floats("x") == [7])
        #expect(try SafeTensorsDirectory(path: dir + "/model.safetensors").tensorNames == ["x"])

        try Self.shard(dir + "/extra.safetensors", ["x": [8]])
        let duplicate = try #require(throws: ModelFileError.self) { try SafeTensorsDirectory(path: dir) }
        #expect(duplicate.kind == .malformedHeader && duplicate.description.contains("'x'"))
    }
}
