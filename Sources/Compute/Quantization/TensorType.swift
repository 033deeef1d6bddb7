/// Element types of GGUF tensors, numbered as in ggml's `ggml_type` enum (the numbers are what the
/// file stores). Quantized types pack `blockLength` weights into `blockBytes` bytes; the layouts are
/// described beside each dequantizer in `Dequantize.swift`.
public enum TensorType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q8_0 = 8
    case q4_K = 12
    case q6_K = 14
    case bf16 = 30

    /// Weights per block (1 for the plain float types).
    public var blockLength: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q4_0, .q4_1, .q5_0, .q8_0: 32
        case .q4_K, .q6_K: 256
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q4_0: 18   // f16 d, 16 B of nibbles
        case .q4_1: 20   // f16 d, f16 m, 16 B of nibbles
        case .q5_0: 22   // f16 d, 4 B of high bits, 16 B of nibbles
        case .q8_0: 34   // f16 d, 32 int8
        case .q4_K: 144  // f16 d, f16 dmin, 12 B of 6-bit scales/mins, 128 B of nibbles
        case .q6_K: 210  // 128 B low nibbles, 64 B high 2-bit pairs, 16 int8 scales, f16 d
        }
    }

    public var isQuantized: Bool { blockLength > 1 }

    /// Bytes needed for `count` elements; `count` must be a multiple of `blockLength`.
    public func byteCount(elements count: Int) -> Int {
        precondition(count % blockLength == 0, "\(self): \(count) elements is not a whole number of blocks")
        return count / blockLength * blockBytes
    }

    public var description: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q8_0: "Q8_0"
        case .q4_K: "Q4_K"
        case .q6_K: "Q6_K"
        }
    }
}
