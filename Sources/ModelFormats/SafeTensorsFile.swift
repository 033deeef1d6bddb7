import Compute
import Foundation

/// A safetensors file (the format of Hugging Face's `safetensors` library): a little-endian u64
/// header length N, N bytes of UTF-8 JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data buffer) plus
/// an optional `"__metadata__"` object of strings, then the data buffer, which runs to the end of
/// the file. Tensor data is memory-mapped and never copied.
public final class SafeTensorsFile: @unchecked Sendable {
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: SafeTensorsDType
        /// Row-major dimensions as PyTorch reports them: `shape.last` is the contiguous one
        /// (the reverse of GGUF's order). A scalar has shape `[]`.
        public let shape: [Int]
        /// Offset of the first byte in the file.
        public let fileOffset: Int
        public let byteCount: Int
        public var elementCount: Int { shape.reduce(1, *) }
        /// The float tensor type, nil when `dtype` is not F32, F16 or BF16.
        public var type: TensorType? { dtype.tensorType }
    }

    public let path: String
    /// The `"__metadata__"` strings of the header (empty when absent).
    public let metadata: [String: String]
    /// Tensors in the order of their data.
    public let tensors: [TensorInfo]
    /// File offset of the data buffer (8 + header length).
    public let dataOffset: Int
    private let file: MappedFile
    private let index: [String: Int]

    /// Headers larger than this are taken as corruption rather than a real file; the
    /// `safetensors` library refuses them too.
    public static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        var r = ByteReader(file.bytes, path: path)
        let headerLength = try r.read(UInt64.self, "header length")
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw ModelFileError(.malformedHeader, path: path,
                                 "header length \(headerLength) is implausible (more than \(Self.maxHeaderBytes) bytes); not a safetensors file?")
        }
        let available = file.bytes.count - 8
        guard Int(headerLength) <= available else {
            throw ModelFileError(.truncated, path: path,
                                 "header length is \(headerLength) bytes but only \(available) bytes follow it; the file is truncated")
        }
        let headerBytes = try r.readBytes(Int(headerLength), "header")
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw ModelFileError(.malformedHeader, path: path, "header does not start with '{'; not a safetensors file?")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch let error as DecodingError {
            throw ModelFileError(.malformedHeader, path: path, "header: \(error.fieldDescription)")
        }
        metadata = header.metadata
        dataOffset = 8 + Int(headerLength)
        let bufferSize = file.bytes.count - dataOffset

        var infos: [TensorInfo] = []
        infos.reserveCapacity(header.entries.count)
        for (name, entry) in header.entries {
            guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
                throw ModelFileError(.unknownTensorType, path: path,
                                     "tensor '\(name)' has dtype '\(entry.dtype)', which is not supported (supported: \(SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            var count = 1
            for d in entry.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard d >= 0, !overflow else {
                    throw ModelFileError(.malformedHeader, path: path, "tensor '\(name)' has an invalid shape \(entry.shape)")
                }
                count = product
            }
            guard entry.dataOffsets.count == 2 else {
                throw ModelFileError(.malformedHeader, path: path,
                                     "tensor '\(name)': data_offsets must be [begin, end], found \(entry.dataOffsets)")
            }
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            guard begin >= 0, begin <= end else {
                throw ModelFileError(.malformedHeader, path: path, "tensor '\(name)': data_offsets [\(begin), \(end)] are not an ascending range")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, end - begin == bytes else {
                throw ModelFileError(.wrongShape, path: path,
                                     "tensor '\(name)' (\(dtype), shape \(entry.shape)) needs \(overflow ? "too many" : "\(bytes)") bytes but data_offsets [\(begin), \(end)] span \(end - begin)")
            }
            infos.append(TensorInfo(name: name, dtype: dtype, shape: entry.shape,
                                    fileOffset: dataOffset + begin, byteCount: bytes))
        }
        infos.sort { ($0.fileOffset, $0.byteCount, $0.name) < ($1.fileOffset, $1.byteCount, $1.name) }

        // Ranges sorted by start overlap exactly when one starts before the previous one ends.
        var contiguousEnd = dataOffset // end of the data when every range follows the last without a gap
        var previous: TensorInfo?
        for info in infos where info.byteCount > 0 {
            if let p = previous, info.fileOffset < p.fileOffset + p.byteCount {
                throw ModelFileError(.malformedHeader, path: path,
                                     "data of tensors '\(p.name)' and '\(info.name)' overlap (buffer bytes \(p.fileOffset - dataOffset)..<\(p.fileOffset + p.byteCount - dataOffset) and \(info.fileOffset - dataOffset)..<\(info.fileOffset + info.byteCount - dataOffset))")
            }
            contiguousEnd = contiguousEnd == info.fileOffset ? info.fileOffset + info.byteCount : -1
            previous = info
        }
        for info in infos where info.fileOffset + info.byteCount > file.bytes.count {
            let begin = info.fileOffset - dataOffset
            // A header that describes one gap-free buffer longer than the file means the file
            // was cut short; anything else means the offsets themselves are wrong.
            if contiguousEnd > 0 {
                throw ModelFileError(.truncated, path: path,
                                     "header describes \(contiguousEnd - dataOffset) bytes of tensor data but the file holds \(bufferSize); the file is truncated (first affected tensor: '\(info.name)')")
            }
            throw ModelFileError(.tensorOutOfBounds, path: path,
                                 "data of tensor '\(info.name)' (buffer bytes \(begin)..<\(begin + info.byteCount)) lies past the end of the \(bufferSize)-byte data buffer")
        }

        tensors = infos
        index = Dictionary(uniqueKeysWithValues: infos.enumerated().map { ($1.name, $0) })
    }

    public func tensorInfo(_ name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    /// The raw bytes of tensor `name`, straight from the mapping.
    public func data(_ name: String) throws -> (info: TensorInfo, bytes: UnsafeRawBufferPointer) {
        guard let info = tensorInfo(name) else {
            throw ModelFileError(.missingTensor, path: path, "tensor '\(name)' is missing")
        }
        return (info, UnsafeRawBufferPointer(rebasing: file.bytes[info.fileOffset..<info.fileOffset + info.byteCount]))
    }

    /// The values of a F32, F16 or BF16 tensor as fp32, in row-major order.
    public func floats(_ name: String) throws -> [Float] {
        let (info, bytes) = try data(name)
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { out, initialized in
            try Self.convert(info, bytes, into: out, path: path)
            initialized = info.elementCount
        }
    }

    /// Writes the values of a F32, F16 or BF16 tensor as fp32 into `destination`, which must hold
    /// exactly `elementCount` floats (weights loaded straight into a model's own storage).
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let (info, bytes) = try data(name)
        precondition(destination.count == info.elementCount,
                     "\(name): destination holds \(destination.count) floats, tensor has \(info.elementCount)")
        try Self.convert(info, bytes, into: destination, path: path)
    }

    /// Keeps the mapping alive for as long as `owner` needs raw pointers into it.
    public var mapping: MappedFile { file }

    static func convert(_ info: TensorInfo, _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>, path: String) throws {
        guard let type = info.type else {
            throw ModelFileError(.unsupportedTensorType, path: path,
                                 "tensor '\(info.name)' is \(info.dtype); only F32, F16 and BF16 tensors can be read as floats")
        }
        guard let src = bytes.baseAddress, let dst = out.baseAddress else { return } // no elements
        let n = info.elementCount
        // Offsets are only required to be in range, not aligned, hence the unaligned loads.
        switch type {
        case .f32:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * n)
        case .f16:
            for i in 0..<n { dst[i] = Float(src.loadUnaligned(fromByteOffset: 2 * i, as: Float16.self)) }
        case .bf16:
            for i in 0..<n { dst[i] = Dequantize.bf16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        default:
            preconditionFailure("\(type) is not a safetensors dtype")
        }
    }

    // MARK: Header JSON

    private struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
    }

    private struct Header: Decodable {
        var metadata: [String: String] = [:]
        var entries: [(String, Entry)] = []

        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try c.decode([String: String].self, forKey: key)
                } else {
                    entries.append((key.stringValue, try c.decode(Entry.self, forKey: key)))
                }
            }
        }
    }
}
