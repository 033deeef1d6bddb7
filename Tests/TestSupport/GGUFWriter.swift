import Foundation

/// Writes small GGUF v3 files (layout of ggml's docs/gguf.md) for tests: metadata of every value
/// type and tensors with raw data, so that a test can build a tiny valid model and then corrupt it.
///
/// File layout: magic, version, tensor count, metadata count, the metadata entries, the tensor
/// directory, zero padding up to `alignment`, then each tensor's bytes at an aligned offset from the
/// start of the data section. Nothing follows the last tensor (nor the directory of a file without
/// tensors), so every proper prefix of a file lacks some bytes it needs.
public struct GGUFWriter {
    /// A metadata value; type codes as in the spec: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32,
    /// 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64.
    public indirect enum Value {
        case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
        case uint32(UInt32), int32(Int32), float32(Float), bool(Bool), string(String)
        /// Elements of one type (`elementType`, a type code) written after that code and the count.
        case array(elementType: UInt32, [Value])
        case uint64(UInt64), int64(Int64), float64(Double)
        /// Any type code followed by the given bytes, for writing values a reader must reject.
        case raw(type: UInt32, bytes: [UInt8])

        public static func strings(_ a: [String]) -> Value { .array(elementType: 8, a.map { .string($0) }) }
        public static func int32s(_ a: [Int32]) -> Value { .array(elementType: 5, a.map { .int32($0) }) }

        public var typeCode: UInt32 {
            switch self {
            case .uint8: 0
            case .int8: 1
            case .uint16: 2
            case .int16: 3
            case .uint32: 4
            case .int32: 5
            case .float32: 6
            case .bool: 7
            case .string: 8
            case .array: 9
            case .uint64: 10
            case .int64: 11
            case .float64: 12
            case .raw(let type, _): type
            }
        }
    }

    public struct Tensor {
        public var name: String
        /// ggml type code (0 F32, 1 F16, 8 Q8_0 …); any number, so unknown types can be written.
        public var type: UInt32
        /// Dimensions in ggml order: `shape[0]` is the contiguous (row) dimension.
        public var shape: [UInt64]
        public var data: [UInt8]
        /// Offset written in the directory instead of the computed one (to corrupt a file).
        public var offsetOverride: UInt64?
    }

    public var version: UInt32 = 3
    public private(set) var entries: [(key: String, value: Value)] = []
    public var tensors: [Tensor] = []

    public init() {}

    /// Sets `key`, replacing an earlier value (the entry then moves to the end).
    public mutating func set(_ key: String, _ value: Value) {
        entries.removeAll { $0.key == key }
        entries.append((key, value))
    }

    /// Appends an entry even if `key` is already present (to write duplicate keys).
    public mutating func append(_ key: String, _ value: Value) { entries.append((key, value)) }

    public mutating func remove(_ key: String) { entries.removeAll { $0.key == key } }

    /// Adds a tensor with raw bytes; `type` is a ggml type code.
    public mutating func addTensor(_ name: String, type: UInt32, shape: [Int], data: [UInt8]) {
        tensors.append(Tensor(name: name, type: type, shape: shape.map { UInt64($0) }, data: data))
    }

    /// Adds an F32 tensor.
    public mutating func addTensor(_ name: String, shape: [Int], floats: [Float]) {
        precondition(shape.reduce(1, *) == floats.count, "\(name): shape \(shape) does not hold \(floats.count) values")
        addTensor(name, type: 0, shape: shape, data: Self.bytes(of: floats))
    }

    /// Replaces the tensor named `name` (which must exist) with the result of `edit`.
    public mutating func editTensor(_ name: String, _ edit: (inout Tensor) -> Void) {
        guard let i = tensors.firstIndex(where: { $0.name == name }) else { preconditionFailure("no tensor '\(name)'") }
        edit(&tensors[i])
    }

    public mutating func removeTensor(_ name: String) { tensors.removeAll { $0.name == name } }

    /// `general.alignment` when it is set to an integer, else the spec's default of 32 (0 or a
    /// non-integer is written as asked but laid out with 32).
    public var alignment: Int {
        switch entries.last(where: { $0.key == "general.alignment" })?.value {
        case .uint8(let a)?: a > 0 ? Int(a) : 32
        case .uint16(let a)?: a > 0 ? Int(a) : 32
        case .uint32(let a)?: a > 0 ? Int(a) : 32
        case .uint64(let a)?: a > 0 && a < 1 << 20 ? Int(a) : 32
        case .int32(let a)?: a > 0 ? Int(a) : 32
        default: 32
        }
    }

    /// Where each part landed in the bytes of `bytes()`.
    public struct Layout {
        public var bytes: [UInt8]
        /// File offset of the first metadata entry.
        public var metadataStart: Int
        /// File offset of the tensor directory, and of its end (before the padding).
        public var directoryStart: Int
        public var directoryEnd: Int
        /// File offset of the data section (a multiple of the alignment).
        public var dataStart: Int
        /// File offset of each tensor's data, in directory order.
        public var tensorOffsets: [Int]
    }

    public func layout() -> Layout {
        var out: [UInt8] = []
        func u32(_ x: UInt32) { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
        func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
        func str(_ s: String) { u64(UInt64(s.utf8.count)); out += s.utf8 }
        func value(_ v: Value) {
            switch v {
            case .uint8(let x): out.append(x)
            case .int8(let x): out.append(UInt8(bitPattern: x))
            case .uint16(let x): withUnsafeBytes(of: x.littleEndian) { out += $0 }
            case .int16(let x): withUnsafeBytes(of: x.littleEndian) { out += $0 }
            case .uint32(let x): u32(x)
            case .int32(let x): u32(UInt32(bitPattern: x))
            case .float32(let x): u32(x.bitPattern)
            case .bool(let b): out.append(b ? 1 : 0)
            case .string(let s): str(s)
            case .array(let type, let elements):
                u32(type)
                u64(UInt64(elements.count))
                elements.forEach(value)
            case .uint64(let x): u64(x)
            case .int64(let x): u64(UInt64(bitPattern: x))
            case .float64(let x): u64(x.bitPattern)
            case .raw(_, let bytes): out += bytes
            }
        }

        let alignment = self.alignment
        func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
        var relative: [Int] = []
        var end = 0
        for t in tensors {
            let start = aligned(end)
            relative.append(start)
            end = start + t.data.count
        }

        u32(0x4655_4747) // "GGUF"
        u32(version)
        u64(UInt64(tensors.count))
        u64(UInt64(entries.count))
        let metadataStart = out.count
        for (key, v) in entries {
            str(key)
            u32(v.typeCode)
            value(v)
        }
        let directoryStart = out.count
        for (t, offset) in zip(tensors, relative) {
            str(t.name)
            u32(UInt32(t.shape.count))
            t.shape.forEach(u64)
            u32(t.type)
            u64(t.offsetOverride ?? UInt64(offset))
        }
        let directoryEnd = out.count
        // A file without tensors ends with its header; padding only precedes tensor data.
        let dataStart = tensors.isEmpty ? out.count : aligned(out.count)
        out += [UInt8](repeating: 0, count: dataStart - out.count)
        for (t, offset) in zip(tensors, relative) {
            out += [UInt8](repeating: 0, count: dataStart + offset - out.count)
            out += t.data
        }
        return Layout(bytes: out, metadataStart: metadataStart, directoryStart: directoryStart,
                      directoryEnd: directoryEnd, dataStart: dataStart, tensorOffsets: relative.map { dataStart + $0 })
    }

    public func bytes() -> [UInt8] { layout().bytes }

    /// Writes the file to a fresh temporary path and returns it.
    public func write(name: String = "gguf-test") throws -> String {
        try Self.writeTemporary(bytes(), name: name)
    }

    /// Writes `bytes` (a file built here, perhaps corrupted) to a fresh temporary `.gguf` path.
    public static func writeTemporary(_ bytes: [UInt8], name: String = "gguf-test") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).gguf")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Little-endian bytes of `values`.
    public static func bytes(of values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        return out
    }

    /// Overwrites bytes at `offset` with the little-endian bytes of `value`.
    public static func patch<T: FixedWidthInteger>(_ bytes: inout [UInt8], at offset: Int, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
    }
}
