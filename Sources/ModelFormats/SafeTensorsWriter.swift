#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Compute

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif

/// Builds a safetensors file (layout described on `SafeTensorsFile`) and writes it atomically:
/// the bytes go to a temporary file in the destination's directory, which is flushed to disk and
/// then renamed over the destination, so a reader never sees a half-written checkpoint.
///
/// Tensors are held encoded in memory until `write(to:)`, so a writer needs as much memory as
/// the file it makes. Data is laid out by element size, largest first (names keep the order they
/// were added in), so every tensor starts at a multiple of its element size; the header is
/// padded with spaces to a multiple of 8 bytes, as the `safetensors` library does.
public struct SafeTensorsWriter {
    private struct Entry {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        let bytes: [UInt8]
    }

    /// Written as the header's `"__metadata__"` object (omitted when empty).
    public var metadata: [String: String]
    private var entries: [Entry] = []
    private var names: Set<String> = []

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor from fp32 values, stored as `type`.
    /// - Parameters:
    ///   - name: unique tensor name (not `__metadata__`).
    ///   - shape: row-major dimensions, last one contiguous; their product is `values.count`.
    ///   - values: fp32 values in row-major order.
    ///   - type: F32, F16 or BF16. F16 and BF16 round to nearest, ties to even (as PyTorch's
    ///     `.to(dtype)` does); values beyond the F16 range become infinities.
    public mutating func add(_ name: String, shape: [Int], values: UnsafeBufferPointer<Float>, as type: TensorType = .f32) {
        guard let dtype = SafeTensorsDType(type) else {
            preconditionFailure("\(name): safetensors stores F32, F16 or BF16, not \(type)")
        }
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "\(name): shape \(shape) does not hold \(values.count) values")
        let bytes = [UInt8](unsafeUninitializedCapacity: values.count * dtype.byteSize) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            switch type {
            case .f32:
                for (i, x) in values.enumerated() { raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            case .f16:
                for (i, x) in values.enumerated() { raw.storeBytes(of: Float16(x).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            default:
                for (i, x) in values.enumerated() { raw.storeBytes(of: Self.bf16Bits(x).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
            initialized = out.count
        }
        append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    /// Adds a tensor from fp32 values, stored as `type`; see `add(_:shape:values:as:)`.
    public mutating func add(_ name: String, shape: [Int], values: [Float], as type: TensorType = .f32) {
        values.withUnsafeBufferPointer { add(name, shape: shape, values: $0, as: type) }
    }

    /// Adds a tensor whose bytes are already encoded as `dtype` (little-endian, row-major).
    public mutating func add(_ name: String, shape: [Int], dtype: SafeTensorsDType, bytes: UnsafeRawBufferPointer) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) * dtype.byteSize == bytes.count,
                     "\(name): shape \(shape) of \(dtype) needs \(shape.reduce(1, *) * dtype.byteSize) bytes, got \(bytes.count)")
        append(Entry(name: name, dtype: dtype, shape: shape, bytes: Array(bytes)))
    }

    private mutating func append(_ entry: Entry) {
        precondition(entry.name != "__metadata__", "'__metadata__' is reserved for the header's metadata")
        precondition(names.insert(entry.name).inserted, "tensor '\(entry.name)' was added twice")
        entries.append(entry)
    }

    /// The fp32 value rounded to bf16 (nearest, ties to even); NaNs stay NaN.
    static func bf16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        // Truncating a NaN could clear every mantissa bit left and make it an infinity.
        if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The header bytes (with padding) and the entries in data order.
    private func layout() -> (header: [UInt8], order: [Entry]) {
        let order = entries.enumerated()
            .sorted { ($1.element.dtype.byteSize, $0.offset) < ($0.element.dtype.byteSize, $1.offset) }
            .map(\.element)
        var json = "{"
        if !metadata.isEmpty {
            json += Self.quoted("__metadata__") + ":{"
            json += metadata.sorted { $0.key < $1.key }.map { Self.quoted($0.key) + ":" + Self.quoted($0.value) }.joined(separator: ",")
            json += "},"
        }
        var offset = 0
        json += order.map { e -> String in
            defer { offset += e.bytes.count }
            return Self.quoted(e.name) + ":{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + e.bytes.count)]}"
        }.joined(separator: ",")
        if json.hasSuffix(",") { json.removeLast() }
        json += "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        return (header, order)
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Writes the file atomically, replacing any file at `path`. The temporary file is named after
    /// `path` and the process, so two writers in one process must not write the same path at once.
    public func write(to path: String) throws {
        let (header, order) = layout()
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = (directory == "/" ? "" : directory) + "/.\(base).tmp-\(getpid())"

        func fail(_ what: String, _ code: Int32) -> ModelFileError {
            ModelFileError(.unwritable, path: path, "\(what): \(String(cString: strerror(code)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw fail("cannot create temporary file \(temporary)", errno) }
        var succeeded = false
        defer { if !succeeded { unlink(temporary) } }
        do {
            defer { close(fd) }
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try Self.writeAll(fd, $0, path: path) }
            try header.withUnsafeBytes { try Self.writeAll(fd, $0, path: path) }
            for e in order { try e.bytes.withUnsafeBytes { try Self.writeAll(fd, $0, path: path) } }
            guard fsync(fd) == 0 else { throw fail("cannot flush to disk", errno) }
        }
        guard rename(temporary, path) == 0 else { throw fail("cannot rename \(temporary) into place", errno) }
        succeeded = true
        // Make the rename itself durable; a directory that cannot be opened for fsync (some
        // network file systems) leaves the file written, so that failure is not reported.
        let dirFD = open(directory, O_RDONLY)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ModelFileError(.unwritable, path: path, "write failed after \(done) of \(bytes.count) bytes: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
