import Compute

/// A GGUF v3 file (the format of ggml/llama.cpp, specified in ggml's docs/gguf.md): a header,
/// key/value metadata, a tensor directory, then tensor data aligned to `general.alignment`
/// (default 32) bytes. Tensor data is memory-mapped and never copied.
public final class GGUFFile: @unchecked Sendable {
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        /// Dimensions in ggml order: `shape[0]` is the contiguous (row) dimension.
        public let shape: [Int]
        public let type: TensorType
        /// Offset of the first byte in the file.
        public let fileOffset: Int
        public let byteCount: Int
        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Tensors in directory order.
    public let tensors: [TensorInfo]
    public let alignment: Int
    private let file: MappedFile
    private let index: [String: Int]

    public static let magic: UInt32 = 0x4655_4747 // "GGUF" read as a little-endian u32

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        var r = ByteReader(file.bytes, path: path)
        let magic = try r.read(UInt32.self, "magic")
        guard magic == Self.magic else {
            let found = withUnsafeBytes(of: magic.littleEndian) { String(decoding: $0.map { (32...126).contains($0) ? $0 : 63 }, as: UTF8.self) }
            throw ModelFileError(.badMagic, path: path, "not a GGUF file: magic is '\(found)', expected 'GGUF'")
        }
        version = try r.read(UInt32.self, "version")
        guard version == 2 || version == 3 else {
            throw ModelFileError(.unsupportedVersion, path: path, "GGUF version \(version) is not supported (expected 2 or 3)")
        }
        let tensorCount = try r.read(UInt64.self, "tensor count")
        let metadataCount = try r.read(UInt64.self, "metadata count")
        // Counts past 2^32 are corruption, not a big model. Smaller counts must still fit in the
        // bytes that follow: a metadata entry takes at least 13 bytes (key length, type, one value
        // byte), a tensor entry at least 32 (name length, dimension count, one dimension, type,
        // offset); a file too short for them has been cut off.
        guard tensorCount <= UInt64(UInt32.max), metadataCount <= UInt64(UInt32.max) else {
            throw ModelFileError(.malformedHeader, path: path, "implausible counts: \(tensorCount) tensors, \(metadataCount) metadata entries")
        }
        let minimumBytes = Int(tensorCount) * 32 + Int(metadataCount) * 13
        guard minimumBytes <= file.bytes.count - r.offset else {
            throw ModelFileError(.truncated, path: path, "header claims \(tensorCount) tensors and \(metadataCount) metadata entries, "
                                 + "which need at least \(r.offset + minimumBytes) bytes, but the file has \(file.bytes.count) bytes")
        }

        var metadata: [String: GGUFValue] = [:]
        for i in 0..<Int(metadataCount) {
            let key = try Self.readString(&r, "key of metadata entry \(i)")
            let type = try r.read(UInt32.self, "type of '\(key)'")
            let value = try Self.readValue(&r, type: type, key: key)
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw ModelFileError(.malformedHeader, path: path, "metadata key '\(key)' appears twice")
            }
        }
        self.metadata = metadata

        if let a = metadata["general.alignment"] {
            guard let n = a.int else {
                throw ModelFileError(.wrongMetadataType, path: path, "general.alignment should be an integer, found \(a.typeName)")
            }
            guard n > 0, n & (n - 1) == 0 else {
                throw ModelFileError(.malformedHeader, path: path, "general.alignment must be a power of two, found \(n)")
            }
            alignment = n
        } else {
            alignment = 32
        }

        var infos: [(String, [Int], TensorType, Int)] = []
        infos.reserveCapacity(Int(tensorCount))
        for i in 0..<Int(tensorCount) {
            let name = try Self.readString(&r, "name of tensor \(i)")
            let dims = try r.read(UInt32.self, "dimension count of '\(name)'")
            guard dims >= 1, dims <= 4 else {
                throw ModelFileError(.malformedHeader, path: path, "tensor '\(name)' has \(dims) dimensions (expected 1 to 4)")
            }
            var shape: [Int] = []
            for d in 0..<Int(dims) {
                let n = try r.read(UInt64.self, "dimension \(d) of '\(name)'")
                guard n > 0, n < 1 << 40 else {
                    throw ModelFileError(.malformedHeader, path: path, "tensor '\(name)' has dimension \(d) = \(n)")
                }
                shape.append(Int(n))
            }
            let code = try r.read(UInt32.self, "type of '\(name)'")
            guard let type = TensorType(rawValue: code) else {
                throw ModelFileError(.unknownTensorType, path: path,
                                     "tensor '\(name)' has ggml type \(code), which is not supported (supported: \(TensorType.allCases.map(\.description).joined(separator: ", ")))")
            }
            guard shape[0] % type.blockLength == 0 else {
                throw ModelFileError(.wrongShape, path: path, "tensor '\(name)': row length \(shape[0]) is not a multiple of the \(type) block length \(type.blockLength)")
            }
            // Four dimensions below 2^40 can multiply past Int.max: check before anyone computes
            // the byte count, and refuse sizes no file of this length can hold.
            var count = 1, overflow = false
            for n in shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: n) }
            guard !overflow, count / type.blockLength <= file.bytes.count / type.blockBytes else {
                throw ModelFileError(.tensorOutOfBounds, path: path,
                                     "data of tensor '\(name)' (\(type), \(shape)) needs more bytes than the whole file holds (\(file.bytes.count))")
            }
            let offset = try r.read(UInt64.self, "data offset of '\(name)'")
            guard offset % UInt64(alignment) == 0 else {
                throw ModelFileError(.tensorOutOfBounds, path: path, "tensor '\(name)' has data offset \(offset), not a multiple of the alignment \(alignment)")
            }
            guard offset < UInt64(file.bytes.count) else {
                throw ModelFileError(.tensorOutOfBounds, path: path,
                                     "tensor '\(name)' has data offset \(offset), past the end of the file (\(file.bytes.count) bytes); it is truncated or corrupt")
            }
            infos.append((name, shape, type, Int(offset)))
        }

        let dataStart = (r.offset + alignment - 1) / alignment * alignment
        var tensors: [TensorInfo] = []
        var index: [String: Int] = [:]
        for (name, shape, type, offset) in infos {
            let count = shape.reduce(1, *)
            let bytes = type.byteCount(elements: count)
            let start = dataStart + offset
            guard start + bytes <= file.bytes.count else {
                throw ModelFileError(.tensorOutOfBounds, path: path,
                                     "data of tensor '\(name)' (\(type), \(shape)) spans bytes \(start)..<\(start + bytes) but the file has \(file.bytes.count) bytes; it is truncated or corrupt")
            }
            guard index[name] == nil else {
                throw ModelFileError(.malformedHeader, path: path, "tensor '\(name)' appears twice")
            }
            index[name] = tensors.count
            tensors.append(TensorInfo(name: name, shape: shape, type: type, fileOffset: start, byteCount: bytes))
        }
        self.tensors = tensors
        self.index = index
    }

    public func tensorInfo(_ name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    /// The raw bytes of tensor `name`, straight from the mapping.
    public func data(_ name: String) throws -> (info: TensorInfo, bytes: UnsafeRawBufferPointer) {
        guard let info = tensorInfo(name) else {
            throw ModelFileError(.missingTensor, path: path, "tensor '\(name)' is missing")
        }
        return (info, UnsafeRawBufferPointer(rebasing: file.bytes[info.fileOffset..<info.fileOffset + info.byteCount]))
    }

    /// Keeps the mapping alive for as long as `owner` needs raw pointers into it.
    public var mapping: MappedFile { file }

    // MARK: Typed metadata access

    public func value(_ key: String) throws -> GGUFValue {
        guard let v = metadata[key] else {
            throw ModelFileError(.missingMetadata, path: path, "required metadata key '\(key)' is missing")
        }
        return v
    }

    public func int(_ key: String) throws -> Int {
        let v = try value(key)
        guard let n = v.int else { throw wrongType(key, "an integer", v) }
        return n
    }

    public func double(_ key: String) throws -> Double {
        let v = try value(key)
        guard let x = v.double else { throw wrongType(key, "a number", v) }
        return x
    }

    public func string(_ key: String) throws -> String {
        let v = try value(key)
        guard let s = v.string else { throw wrongType(key, "a string", v) }
        return s
    }

    public func stringArray(_ key: String) throws -> [String] {
        let v = try value(key)
        guard let a = v.array else { throw wrongType(key, "an array of strings", v) }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for e in a {
            guard let s = e.string else { throw wrongType(key, "an array of strings", v) }
            out.append(s)
        }
        return out
    }

    public func intArray(_ key: String) throws -> [Int] {
        let v = try value(key)
        guard let a = v.array else { throw wrongType(key, "an array of integers", v) }
        return try a.map { e in
            guard let n = e.int else { throw wrongType(key, "an array of integers", v) }
            return n
        }
    }

    private func wrongType(_ key: String, _ expected: String, _ found: GGUFValue) -> ModelFileError {
        ModelFileError(.wrongMetadataType, path: path, "metadata '\(key)' should be \(expected), found \(found.typeName)")
    }

    // MARK: Parsing

    private static func readString(_ r: inout ByteReader, _ field: String) throws -> String {
        let n = try r.read(UInt64.self, "length of \(field)")
        guard n <= UInt64(r.bytes.count - r.offset) else {
            throw ModelFileError(.truncated, path: r.path, "\(field) is \(n) bytes long at byte \(r.offset) but the file ends at byte \(r.bytes.count)")
        }
        let raw = try r.readBytes(Int(n), field)
        return String(decoding: raw, as: UTF8.self)
    }

    /// Nesting depth of arrays beyond which a file is refused: model files hold flat arrays, and
    /// the recursion below must not be able to exhaust the stack.
    static let maximumArrayDepth = 8

    /// Fewest bytes a value of type code `type` occupies (1 for an unknown code, which throws).
    private static func minimumSize(ofType type: UInt32) -> Int {
        switch type {
        case 2, 3: 2
        case 4, 5, 6: 4
        case 8, 10, 11, 12: 8
        case 9: 12 // element type and count
        default: 1
        }
    }

    private static func readValue(_ r: inout ByteReader, type: UInt32, key: String, depth: Int = 0) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try r.read(UInt8.self, key))
        case 1: return .int8(try r.read(Int8.self, key))
        case 2: return .uint16(try r.read(UInt16.self, key))
        case 3: return .int16(try r.read(Int16.self, key))
        case 4: return .uint32(try r.read(UInt32.self, key))
        case 5: return .int32(try r.read(Int32.self, key))
        case 6: return .float32(try r.readFloat(key))
        case 7:
            let b = try r.read(UInt8.self, key)
            guard b <= 1 else { throw ModelFileError(.malformedHeader, path: r.path, "metadata '\(key)' is a bool with byte \(b) (expected 0 or 1)") }
            return .bool(b == 1)
        case 8: return .string(try readString(&r, "value of '\(key)'"))
        case 9:
            guard depth < maximumArrayDepth else {
                throw ModelFileError(.malformedHeader, path: r.path, "metadata '\(key)' has arrays nested more than \(maximumArrayDepth) deep")
            }
            let elementType = try r.read(UInt32.self, "element type of '\(key)'")
            let count = try r.read(UInt64.self, "element count of '\(key)'")
            // Bounding the count by the bytes left keeps `reserveCapacity` from asking for memory a
            // corrupt count invents.
            let remaining = r.bytes.count - r.offset
            guard count <= UInt64(remaining / minimumSize(ofType: elementType)) else {
                throw ModelFileError(.truncated, path: r.path, "array '\(key)' claims \(count) elements but only \(remaining) bytes remain")
            }
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))
            for _ in 0..<Int(count) { values.append(try readValue(&r, type: elementType, key: key, depth: depth + 1)) }
            return .array(values)
        case 10: return .uint64(try r.read(UInt64.self, key))
        case 11: return .int64(try r.read(Int64.self, key))
        case 12: return .float64(try r.readDouble(key))
        default:
            throw ModelFileError(.malformedHeader, path: r.path, "metadata '\(key)' has unknown value type \(type)")
        }
    }
}
