import Compute
import Foundation
import ModelFormats
import TestSupport
import Testing

/// The GGUF reader on tiny files written by TestSupport's GGUFWriter: every metadata value type,
/// the tensor directory and alignment round-trip; every kind of damage gives a `ModelFileError`
/// naming the file and the problem, never a crash (acceptance point 5 of issue 2).
struct GGUFFileTests {
    /// A small valid file: three tensors of different types and sizes (the last one's bytes end
    /// the file).
    static func small() -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", .string("test"))
        w.set("test.count", .uint32(7))
        w.addTensor("a", shape: [3, 2], floats: [1, 2, 3, 4, 5, -6])
        w.addTensor("b", type: 1, shape: [5], data: [0x00, 0x3C, 0x00, 0x40, 0x00, 0x42, 0x00, 0x44, 0x00, 0xC5]) // F16 1 2 3 4 -5
        w.addTensor("c", type: 8, shape: [32, 2], data: (0..<68).map { UInt8($0) })                              // Q8_0: 2 blocks of 34 B
        return w
    }

    /// Opens `bytes` as a file and returns the error, checking what every error must satisfy: a
    /// `ModelFileError` of `kind` whose one-line description starts with the path and contains
    /// each of `fragments`.
    @discardableResult
    static func expectFailure(_ bytes: [UInt8], _ kind: ModelFileError.Kind, _ fragments: String...,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> ModelFileError? {
        let path = try GGUFWriter.writeTemporary(bytes, name: "bad")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ModelFileError.self, sourceLocation: sourceLocation) { try GGUFFile(path: path) }
        guard let error else { return nil }
        check(error, kind, path: path, fragments, sourceLocation: sourceLocation)
        return error
    }

    static func check(_ error: ModelFileError, _ kind: ModelFileError.Kind, path: String, _ fragments: [String],
                      sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n") && error.description.count < 400, "\(error)", sourceLocation: sourceLocation)
        for f in fragments { #expect(error.detail.contains(f), "'\(f)' not in: \(error)", sourceLocation: sourceLocation) }
        print("  \(kind): \(error)")
    }

    // MARK: Valid files

    @Test func everyMetadataTypeRoundTrips() throws {
        var w = GGUFWriter()
        let values: [(String, GGUFWriter.Value, GGUFValue)] = [
            ("u8", .uint8(200), .uint8(200)),
            ("i8", .int8(-100), .int8(-100)),
            ("u16", .uint16(60_000), .uint16(60_000)),
            ("i16", .int16(-30_000), .int16(-30_000)),
            ("u32", .uint32(4_000_000_000), .uint32(4_000_000_000)),
            ("i32", .int32(-2_000_000_000), .int32(-2_000_000_000)),
            ("f32", .float32(-1.5e-7), .float32(-1.5e-7)),
            ("true", .bool(true), .bool(true)),
            ("false", .bool(false), .bool(false)),
            ("string", .string("héllo, 世界 🙂"), .string("héllo, 世界 🙂")),
            ("empty string", .string(""), .string("")),
            ("u64", .uint64(.max), .uint64(.max)),
            ("i64", .int64(.min), .int64(.min)),
            ("f64", .float64(.pi), .float64(.pi)),
            ("i32 array", .int32s([1, -2, 3]), .array([.int32(1), .int32(-2), .int32(3)])),
            ("string array", .strings(["a", "", "ß"]), .array([.string("a"), .string(""), .string("ß")])),
            ("empty array", .array(elementType: 4, []), .array([])),
            ("nested array", .array(elementType: 9, [.array(elementType: 0, [.uint8(1), .uint8(2)]),
                                                     .array(elementType: 7, [.bool(true)]),
                                                     .array(elementType: 12, [])]),
             .array([.array([.uint8(1), .uint8(2)]), .array([.bool(true)]), .array([])])),
        ]
        for (key, value, _) in values { w.set(key, value) }
        let path = try w.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.tensors.isEmpty)
        #expect(file.alignment == 32)
        #expect(file.metadata == Dictionary(uniqueKeysWithValues: values.map { ($0.0, $0.2) }))

        // Typed accessors.
        #expect(try file.int("u32") == 4_000_000_000 && file.int("i64") == Int(Int64.min) && file.int("u8") == 200)
        #expect(try file.double("f64") == .pi && file.double("f32") == Double(Float(-1.5e-7)) && file.double("i16") == -30_000)
        #expect(try file.string("string") == "héllo, 世界 🙂")
        #expect(try file.stringArray("string array") == ["a", "", "ß"])
        #expect(try file.intArray("i32 array") == [1, -2, 3])
        #expect(try file.intArray("empty array") == [])
        #expect(file.metadata["u64"]?.int == nil) // UInt64.max does not fit an Int
    }

    @Test(arguments: [nil, 1, 8, 64, 256] as [UInt32?])
    func tensorsRoundTripAtEveryAlignment(alignment: UInt32?) throws {
        var w = Self.small()
        if let alignment { w.set("general.alignment", .uint32(alignment)) }
        let layout = w.layout()
        let path = try GGUFWriter.writeTemporary(layout.bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        let a = Int(alignment ?? 32)
        #expect(file.alignment == a)
        #expect(file.tensors.map(\.name) == ["a", "b", "c"])
        #expect(file.tensors.map(\.shape) == [[3, 2], [5], [32, 2]])
        #expect(file.tensors.map(\.type) == [.f32, .f16, .q8_0])
        #expect(file.tensors.map(\.byteCount) == [24, 10, 68])
        #expect(file.tensors.map(\.fileOffset) == layout.tensorOffsets)
        for t in file.tensors { #expect(t.fileOffset % a == 0, "\(t.name) at \(t.fileOffset)") }
        #expect(file.tensorInfo("b")?.elementCount == 5)
        #expect(file.tensorInfo("z") == nil)

        for t in w.tensors {
            let (info, bytes) = try file.data(t.name)
            #expect(info.name == t.name && Array(bytes) == t.data, "\(t.name)")
        }
        let (_, f16) = try file.data("b")
        var floats = [Float](repeating: 0, count: 5)
        Dequantize.row(&floats, f16.baseAddress!, type: .f16, count: 5)
        #expect(floats == [1, 2, 3, 4, -5])
        let (_, f32) = try file.data("a")
        #expect((0..<6).map { f32.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } == [1, 2, 3, 4, 5, -6])

        let missing = try #require(throws: ModelFileError.self) { try file.data("z") }
        Self.check(missing, .missingTensor, path: path, ["'z'"])
    }

    @Test func versionTwoHasTheSameLayout() throws {
        var w = Self.small()
        w.version = 2
        let path = try w.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try GGUFFile(path: path).tensors.count == 3)
    }

    // MARK: Damaged files

    @Test func missingFileIsUnreadable() throws {
        let error = try #require(throws: ModelFileError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        Self.check(error, .unreadable, path: "/nonexistent/model.gguf", ["cannot open"])
    }

    @Test func emptyFile() throws {
        try Self.expectFailure([], .truncated, "file ends at byte 0", "magic")
    }

    /// Every proper prefix of a valid file: the header, metadata, directory and data section are
    /// each cut at every byte. Each must throw (truncated header, or tensor data past the end).
    @Test func everyPrefixOfAFileIsRejected() throws {
        var w = Self.small()
        w.set("nested", .array(elementType: 9, [.strings(["x", "yz"]), .strings([])]))
        w.set("pi", .float64(.pi))
        let layout = w.layout()
        let bytes = layout.bytes
        let path = try GGUFWriter.writeTemporary(bytes, name: "prefix")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try GGUFFile(path: path).tensors.count == 3)

        var kinds: [ModelFileError.Kind: Int] = [:]
        for length in 0..<bytes.count {
            try Data(bytes[..<length]).write(to: URL(fileURLWithPath: path))
            do {
                _ = try GGUFFile(path: path)
                Issue.record("a prefix of \(length) of \(bytes.count) bytes was accepted")
            } catch let error as ModelFileError {
                kinds[error.kind, default: 0] += 1
                let expected: ModelFileError.Kind = length < layout.directoryEnd ? .truncated : .tensorOutOfBounds
                #expect(error.kind == expected && error.path == path && error.description.hasPrefix(path + ": ")
                        && !error.description.contains("\n"), "prefix \(length): \(error)")
                if length == 10 || length == layout.directoryStart + 5 || length == bytes.count - 1 { print("  prefix \(length): \(error)") }
            }
        }
        print("  all \(bytes.count) prefixes rejected: \(kinds[.truncated] ?? 0) truncated, \(kinds[.tensorOutOfBounds] ?? 0) tensor data out of bounds")
    }

    @Test func wrongMagic() throws {
        var bytes = Self.small().bytes()
        bytes.replaceSubrange(0..<4, with: Array("GGML".utf8))
        try Self.expectFailure(bytes, .badMagic, "magic is 'GGML'", "expected 'GGUF'")
        try Self.expectFailure(Array(#"{"model_type": "qwen2"}"#.utf8), .badMagic, "not a GGUF file")
        try Self.expectFailure([0x47, 0x47], .truncated, "magic")
    }

    @Test(arguments: [1, 4, 0xFFFF_FFFF] as [UInt32])
    func unsupportedVersion(version: UInt32) throws {
        var w = Self.small()
        w.version = version
        try Self.expectFailure(w.bytes(), .unsupportedVersion, "version \(version)", "expected 2 or 3")
    }

    @Test func unknownTensorType() throws {
        var w = Self.small()
        w.editTensor("b") { $0.type = 99 }
        try Self.expectFailure(w.bytes(), .unknownTensorType, "tensor 'b'", "ggml type 99", "supported: F32")
        w.editTensor("b") { $0.type = 10 } // Q2_K: a real ggml type this reader does not implement
        try Self.expectFailure(w.bytes(), .unknownTensorType, "ggml type 10")
    }

    @Test func tensorDataPastTheEndOfTheFile() throws {
        // The last tensor's bytes cut short.
        let bytes = Self.small().bytes()
        try Self.expectFailure(Array(bytes.dropLast(7)), .tensorOutOfBounds, "tensor 'c'", "has \(bytes.count - 7) bytes", "truncated")

        // An offset that points past the end.
        var w = Self.small()
        w.editTensor("a") { $0.offsetOverride = 4096 }
        try Self.expectFailure(w.bytes(), .tensorOutOfBounds, "tensor 'a'", "4096")

        // An aligned offset inside the file whose data runs past the end.
        w = Self.small()
        w.editTensor("a") { $0.offsetOverride = 128 }
        try Self.expectFailure(w.bytes(), .tensorOutOfBounds, "tensor 'a'", "spans bytes")

        // A misaligned offset.
        w = Self.small()
        w.editTensor("b") { $0.offsetOverride = 33 }
        try Self.expectFailure(w.bytes(), .tensorOutOfBounds, "tensor 'b'", "offset 33", "alignment 32")

        // A shape far larger than the data (its byte count would overflow an Int).
        w = Self.small()
        w.editTensor("a") { $0.shape = [1 << 39, 1 << 39, 1 << 39, 1 << 39] }
        try Self.expectFailure(w.bytes(), .tensorOutOfBounds, "tensor 'a'")
        w.editTensor("a") { $0.shape = [1 << 30, 1 << 30] }
        try Self.expectFailure(w.bytes(), .tensorOutOfBounds, "tensor 'a'")
    }

    @Test func malformedTensorDirectory() throws {
        var w = Self.small()
        w.editTensor("a") { $0.shape = [] }
        try Self.expectFailure(w.bytes(), .malformedHeader, "tensor 'a' has 0 dimensions", "expected 1 to 4")
        w.editTensor("a") { $0.shape = [1, 1, 1, 1, 6] }
        try Self.expectFailure(w.bytes(), .malformedHeader, "tensor 'a' has 5 dimensions")
        w.editTensor("a") { $0.shape = [6, 0] }
        try Self.expectFailure(w.bytes(), .malformedHeader, "tensor 'a' has dimension 1 = 0")
        w = Self.small()
        w.editTensor("c") { $0.shape = [16, 4] }
        try Self.expectFailure(w.bytes(), .wrongShape, "tensor 'c'", "row length 16", "Q8_0 block length 32")
    }

    @Test func duplicateTensorName() throws {
        var w = Self.small()
        w.editTensor("b") { $0.name = "a"; $0.type = 0; $0.shape = [2]; $0.data = GGUFWriter.bytes(of: [7, 8]) }
        try Self.expectFailure(w.bytes(), .malformedHeader, "tensor 'a' appears twice")
    }

    @Test func duplicateMetadataKey() throws {
        var w = Self.small()
        w.append("test.count", .uint32(8))
        try Self.expectFailure(w.bytes(), .malformedHeader, "metadata key 'test.count' appears twice")
    }

    /// Counts in the header that no file could hold, and counts larger than what this file holds.
    @Test func implausibleCounts() throws {
        let bytes = Self.small().bytes()
        for (offset, field) in [(8, "tensors"), (16, "metadata entries")] {
            var bad = bytes
            GGUFWriter.patch(&bad, at: offset, UInt64(1) << 60)
            try Self.expectFailure(bad, .malformedHeader, "implausible", "\(UInt64(1) << 60) \(field)")
            bad = bytes
            GGUFWriter.patch(&bad, at: offset, UInt64(100_000))
            try Self.expectFailure(bad, .truncated, "100000 \(field)", "\(bytes.count) bytes")
        }
    }

    @Test func stringLengthPastTheEndOfTheFile() throws {
        var w = GGUFWriter()
        w.set("general.name", .string("tiny"))
        let layout = w.layout()
        // The key's length (the first u64 of the first entry).
        var bad = layout.bytes
        GGUFWriter.patch(&bad, at: layout.metadataStart, UInt64(1000))
        try Self.expectFailure(bad, .truncated, "key of metadata entry 0", "1000 bytes")
        GGUFWriter.patch(&bad, at: layout.metadataStart, UInt64.max)
        try Self.expectFailure(bad, .truncated, "key of metadata entry 0", "\(UInt64.max) bytes")
        // The value's length: after the key ("general.name", 8 + 12 bytes) and the type (4 bytes).
        bad = layout.bytes
        GGUFWriter.patch(&bad, at: layout.metadataStart + 24, UInt64(5))
        try Self.expectFailure(bad, .truncated, "value of 'general.name'", "5 bytes")
    }

    @Test func arrayCountPastTheEndOfTheFile() throws {
        var w = GGUFWriter()
        w.set("tokens", .strings(["a", "b"]))
        let layout = w.layout()
        // key (8 + 6) + type (4) + element type (4), then the count.
        for count in [UInt64(3), 1 << 20, .max] {
            var bad = layout.bytes
            GGUFWriter.patch(&bad, at: layout.metadataStart + 22, count)
            try Self.expectFailure(bad, .truncated, "'tokens'")
        }
    }

    @Test func invalidBoolByte() throws {
        var w = Self.small()
        w.set("flag", .raw(type: 7, bytes: [2]))
        try Self.expectFailure(w.bytes(), .malformedHeader, "metadata 'flag'", "byte 2", "expected 0 or 1")
        w.set("flag", .array(elementType: 7, [.bool(true), .raw(type: 7, bytes: [0xFF])]))
        try Self.expectFailure(w.bytes(), .malformedHeader, "metadata 'flag'", "byte 255")
    }

    @Test func unknownValueType() throws {
        var w = Self.small()
        w.set("odd", .raw(type: 13, bytes: [0, 0, 0, 0]))
        try Self.expectFailure(w.bytes(), .malformedHeader, "metadata 'odd'", "unknown value type 13")
        w.set("odd", .array(elementType: 42, [.raw(type: 42, bytes: [1])]))
        try Self.expectFailure(w.bytes(), .malformedHeader, "metadata 'odd'", "unknown value type 42")
    }

    /// Arrays nested deeper than any real file needs are refused before the parser's recursion
    /// could exhaust the stack.
    @Test func arraysNestedTooDeeply() throws {
        // Written as raw bytes: a 100,000-deep Value would itself recurse too deeply to build.
        // Each level is (element type 9, count 1); the innermost array holds one u8.
        var raw: [UInt8] = []
        func u32(_ x: UInt32) { withUnsafeBytes(of: x.littleEndian) { raw += $0 } }
        func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { raw += $0 } }
        for _ in 0..<100_000 { u32(9); u64(1) }
        u32(0); u64(1); raw.append(1)
        var w = GGUFWriter()
        w.set("deep", .raw(type: 9, bytes: raw))
        try Self.expectFailure(w.bytes(), .malformedHeader, "metadata 'deep'", "nested")
    }

    @Test(arguments: [(GGUFWriter.Value.uint32(48), "48"), (.uint32(0), "0"), (.int32(-32), "-32"), (.uint64(3), "3")])
    func alignmentMustBeAPowerOfTwo(value: GGUFWriter.Value, shown: String) throws {
        var w = Self.small()
        w.set("general.alignment", value)
        try Self.expectFailure(w.bytes(), .malformedHeader, "general.alignment", "power of two", "found \(shown)")
    }

    @Test func alignmentOfTheWrongType() throws {
        var w = Self.small()
        w.set("general.alignment", .string("32"))
        try Self.expectFailure(w.bytes(), .wrongMetadataType, "general.alignment", "an integer", "found string")
    }

    // MARK: Typed metadata access

    @Test func missingRequiredMetadata() throws {
        let path = try Self.small().write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        for read in [{ _ = try file.int("test.block_count") }, { _ = try file.string("test.block_count") },
                     { _ = try file.double("test.block_count") }, { _ = try file.stringArray("test.block_count") }] {
            let error = try #require(throws: ModelFileError.self) { try read() }
            Self.check(error, .missingMetadata, path: path, ["required metadata key 'test.block_count' is missing"])
        }
    }

    @Test func wrongMetadataType() throws {
        var w = Self.small()
        w.set("tokens", .int32s([1, 2]))
        w.set("mixed", .array(elementType: 9, [.strings(["a"])]))
        w.set("huge", .uint64(.max))
        let path = try w.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try file.int("general.architecture") }, "'general.architecture' should be an integer, found string"),
            ({ _ = try file.string("test.count") }, "'test.count' should be a string, found u32"),
            ({ _ = try file.double("general.architecture") }, "should be a number, found string"),
            ({ _ = try file.stringArray("tokens") }, "'tokens' should be an array of strings, found array of i32"),
            ({ _ = try file.stringArray("test.count") }, "should be an array of strings, found u32"),
            ({ _ = try file.intArray("mixed") }, "should be an array of integers, found array of array of string"),
            ({ _ = try file.int("huge") }, "'huge' should be an integer"),
        ]
        for (read, fragment) in cases {
            let error = try #require(throws: ModelFileError.self) { try read() }
            Self.check(error, .wrongMetadataType, path: path, [fragment])
        }
    }
}
