import Compute
import QuantKernels
import Testing

/// Random quantized blocks with finite half-float fields, as the fixtures use.
func randomBlocks(_ type: TensorType, blocks: Int, seed: UInt64) -> [UInt8] {
    var g = SplitMix(seed)
    var bytes = (0..<type.blockBytes * blocks).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    func setHalf(_ offset: Int, _ value: Float) {
        withUnsafeBytes(of: Float16(value)) { h in bytes[offset] = h[0]; bytes[offset + 1] = h[1] }
    }
    for b in 0..<blocks {
        let o = b * type.blockBytes
        let scale = Float(g.next() % 1000 + 1) / 100_000
        switch type {
        case .q4_0, .q5_0, .q8_0: setHalf(o, scale)
        case .q4_1, .q4_K: setHalf(o, scale); setHalf(o + 2, scale / 3)
        case .q6_K: setHalf(o + 208, scale)
        default: break
        }
    }
    return bytes
}

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
}

struct MatmulTests {
    static let quantized: [TensorType] = [.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K]

    /// The activations a weight format is multiplied with: 8-bit blocks for formats with an
    /// integer kernel (as llama.cpp does), fp32 otherwise.
    static func effectiveActivations(_ x: [Float], type: TensorType) -> [Float] {
        switch type {
        case .q8_0, .q5_0, .q4_0:
            // Blocks of 40 bytes: the fp32 scale, the int32 code sum, the 32 codes.
            var q = [UInt8](repeating: 0, count: x.count / 32 * 40)
            qk_quantize_q8_0(x, &q, Int64(x.count), 40)
            return q.withUnsafeBytes { raw in
                (0..<x.count).map { i in
                    raw.load(fromByteOffset: 40 * (i / 32), as: Float.self) * Float(raw.load(fromByteOffset: 40 * (i / 32) + 8 + i % 32, as: Int8.self))
                }
            }
        case .q4_K, .q6_K:
            var q = [UInt8](repeating: 0, count: x.count / 256 * 292)
            qk_quantize_q8_K(x, &q, Int64(x.count), 292)
            return q.withUnsafeBytes { raw in
                (0..<x.count).map { i in
                    let block = raw.baseAddress! + i / 256 * 292
                    return block.loadUnaligned(as: Float.self) * Float(block.load(fromByteOffset: 4 + i % 256, as: Int8.self))
                }
            }
        default:
            return x
        }
    }

    /// Matmul against a naive twin: reference dequantization of the weights, the activations as
    /// the kernel sees them, then a Double dot product. Tolerance: fp32 accumulation over K ≤ 1024
    /// terms stays within 1e-5 of the Double result relative to Σ|w·x|.
    @Test(arguments: quantized + [.f32, .f16, .bf16], [1, 3, 5, 17])
    func matchesNaive(type: TensorType, tokens n: Int) {
        let cols = type.blockLength == 256 ? 512 : 96, rows = 33
        let bytes: [UInt8]
        var g = SplitMix(UInt64(n) * 31 + UInt64(type.rawValue))
        if type.isQuantized {
            bytes = randomBlocks(type, blocks: rows * cols / type.blockLength, seed: UInt64(type.rawValue))
        } else {
            let values = (0..<rows * cols).map { _ in g.float() }
            switch type {
            case .f32: bytes = values.withUnsafeBytes { Array($0) }
            case .f16: bytes = values.map { Float16($0) }.withUnsafeBytes { Array($0) }
            default: bytes = values.map { UInt16($0.bitPattern >> 16) }.withUnsafeBytes { Array($0) }
            }
        }
        let x = (0..<n * cols).map { _ in g.float() }
        let seen = (0..<n).flatMap { t in Self.effectiveActivations(Array(x[t * cols..<(t + 1) * cols]), type: type) }
        bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!, owner: nil)
            var out = [Float](repeating: .nan, count: n * rows)
            Matmul.forward(&out, x, n: n, w)
            Self.expectNaive(out, w, seen, n: n)
        }
    }

    /// out (n, rows) against Double dot products of w's reference dequantization with the
    /// activations `seen` (n, cols): within 1e-5 of Σ|w·x| per element.
    static func expectNaive(_ out: [Float], _ w: WeightMatrix, _ seen: [Float], n: Int, label: String = "") {
        let (rows, cols) = (w.rows, w.cols)
        var row = [Float](repeating: 0, count: cols)
        for r in 0..<rows {
            Dequantize.row(&row, w.row(r), type: w.type, count: cols)
            for t in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for c in 0..<cols {
                    exact += Double(row[c]) * Double(seen[t * cols + c])
                    magnitude += abs(Double(row[c]) * Double(seen[t * cols + c]))
                }
                #expect(abs(Double(out[t * rows + r]) - exact) <= 1e-5 * max(magnitude, 1e-6), "\(w.type)\(label) n=\(n) [\(t), \(r)]")
            }
        }
    }

    /// Activation quantization keeps every value within half a quantization step.
    @Test func activationQuantizationError() {
        var g = SplitMix(5)
        let x = (0..<512).map { _ in g.float() * 3 }
        for type in [TensorType.q8_0, .q4_K] {
            let seen = Self.effectiveActivations(x, type: type)
            let block = type == .q8_0 ? 32 : 256
            for b in 0..<512 / block {
                let slice = x[b * block..<(b + 1) * block]
                let step = slice.map(abs).max()! / 127
                // Half a step from rounding, plus up to 127 times the fp16 rounding of the Q8_0 scale (2^-11 relative).
                for i in slice.indices { #expect(abs(seen[i] - x[i]) <= step * 0.57 + 1e-7, "\(type) element \(i)") }
            }
        }
    }

    /// The SIMD Q8_K activation quantization gives the portable twin's bytes: random rows, rows
    /// whose largest magnitude is negative or occurs twice with opposite signs (the first one sets
    /// the scale's sign), huge and tiny values, and an all-zero block.
    @Test func q8KQuantizationMatchesScalarTwin() {
        var g = SplitMix(17)
        for trial in 0..<40 {
            var x = (0..<1024).map { _ in g.float() * (trial % 3 == 0 ? 1e4 : trial % 3 == 1 ? 1e-3 : 3) }
            if trial % 4 == 1 { x[37] = -50_000; x[200] = 50_000 }
            if trial % 4 == 2 { x[300] = 50_000; x[301] = -50_000 }
            if trial % 5 == 0 { for i in 512..<768 { x[i] = 0 } }
            var fast = [UInt8](repeating: 0, count: 4 * 292), scalar = fast
            qk_quantize_q8_K(x, &fast, 1024, 292)
            qk_quantize_q8_K_scalar(x, &scalar, 1024, 292)
            #expect(fast == scalar, "trial \(trial)")
        }
    }

    /// Both SIMD variants (AVX-512 VNNI where the processor has it, and AVX2) and the portable
    /// panel kernel give the bits of the scalar twins on the original rows (which also checks the
    /// packing), and the fp32 panel kernel those of its portable twin: 19 weight rows (two full panels and one padded) against 19 activation rows
    /// (groups of eight and four plus remainders). 35 blocks of 32 columns, or 5 of 256: odd
    /// counts, so no pairing of blocks can hide. This is the only test that switches variants;
    /// others running meanwhile see either, which give the same bits.
    @Test func integerKernelsMatchScalarTwins() {
        let variants = qk_set_vnni(1) == 1 ? [1, 0] : [0]
        defer { qk_set_vnni(1) }
        for vnni in variants {
            #expect(qk_set_vnni(Int32(vnni)) == Int32(vnni))
            for type in [TensorType.q8_0, .q5_0, .q4_0, .q4_K, .q6_K] { checkPanelKernel(type, label: vnni == 1 ? "VNNI" : "AVX2") }
        }
    }

    private func checkPanelKernel(_ type: TensorType, label: String) {
        let q8K = type.blockLength == 256
        let k = q8K ? 1280 : 1120, weightRows = 19, rows = 19
        let bytes = randomBlocks(type, blocks: weightRows * k / type.blockLength, seed: 99)
        var g = SplitMix(3)
        let x = (0..<rows * k).map { _ in g.float() }
        // The rows interleaved block by block, as Matmul lays them out.
        let blockBytes = q8K ? 292 : 40, blockStride = rows * blockBytes
        var xq = [UInt8](repeating: 0, count: rows * k / type.blockLength * blockBytes)
        xq.withUnsafeMutableBytes { q in
            for t in 0..<rows {
                let src = Array(x[t * k..<(t + 1) * k])
                if q8K { qk_quantize_q8_K(src, q.baseAddress! + t * blockBytes, Int64(k), Int64(blockStride)) }
                else { qk_quantize_q8_0(src, q.baseAddress! + t * blockBytes, Int64(k), Int64(blockStride)) }
            }
        }
        let scalar: (Int64, UnsafeRawPointer?, UnsafeRawPointer?, Int64) -> Float = switch type {
        case .q8_0: qk_dot_q8_0_scalar
        case .q5_0: qk_dot_q5_0_scalar
        case .q4_0: qk_dot_q4_0_scalar
        case .q4_K: qk_dot_q4_K_scalar
        default: qk_dot_q6_K_scalar
        }
        bytes.withUnsafeBytes { w in
            xq.withUnsafeBytes { q in
                let matrix = WeightMatrix(type: type, rows: weightRows, cols: k, data: w.baseAddress!, owner: nil)
                let panels = matrix.panels!
                var fast = [Float](repeating: .nan, count: rows * weightRows), portable = fast
                for p in 0..<panels.count {
                    let valid = Int32(min(8, weightRows - 8 * p))
                    qk_panel_dot_rows(panels.kernelType, Int64(k), panels.panel(p), q.baseAddress, Int64(blockBytes), Int64(blockStride),
                                      Int64(rows), &fast[8 * p], Int64(weightRows), valid)
                    qk_panel_dot_rows_scalar(panels.kernelType, Int64(k), panels.panel(p), q.baseAddress, Int64(blockBytes), Int64(blockStride),
                                             Int64(rows), &portable[8 * p], Int64(weightRows), valid)
                }
                // The fp32 panel kernel against its portable twin, on the unquantized activations.
                var fast32 = [Float](repeating: .nan, count: rows * weightRows), portable32 = fast32
                for p in 0..<panels.count {
                    let valid = Int32(min(8, weightRows - 8 * p))
                    qk_panel_dot_rows_f32(panels.kernelType, Int64(k), panels.panel(p), x, Int64(k), Int64(rows), &fast32[8 * p], Int64(weightRows), valid)
                    qk_panel_dot_rows_f32_scalar(panels.kernelType, Int64(k), panels.panel(p), x, Int64(k), Int64(rows), &portable32[8 * p], Int64(weightRows), valid)
                }
                #expect(fast32.map(\.bitPattern) == portable32.map(\.bitPattern), "\(label) \(type) fp32 panel kernel")
                for t in 0..<rows {
                    for r in 0..<weightRows {
                        let want = scalar(Int64(k), w.baseAddress! + r * matrix.rowBytes, q.baseAddress! + t * blockBytes, Int64(blockStride))
                        #expect(fast[t * weightRows + r].bitPattern == want.bitPattern, "\(label) \(type) [\(t), \(r)]: \(fast[t * weightRows + r]) vs \(want)")
                        #expect(portable[t * weightRows + r].bitPattern == want.bitPattern, "portable \(type) [\(t), \(r)]")
                    }
                }
            }
        }
    }

    /// Every output element must be the same bits whatever the number of activation rows, so
    /// batched decoding and speculative verification reproduce single-token decoding exactly.
    @Test(arguments: quantized + [.f32])
    func batchInvariant(type: TensorType) {
        let cols = type.blockLength == 256 ? 512 : 544, rows = 40  // 17 blocks of 32: a partial group of eight
        let bytes = type.isQuantized ? randomBlocks(type, blocks: rows * cols / type.blockLength, seed: 7)
            : (0..<rows * cols).map { Float($0 % 97) / 97 - 0.5 }.withUnsafeBytes { Array($0) }
        var g = SplitMix(11)
        let most = 70  // past the fp32 panel kernel's chunk of 64 rows
        let x = (0..<most * cols).map { _ in g.float() }
        bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!, owner: nil)
            for activations in [Matmul.ActivationPrecision.int8, .fp32] {
                var batched = [Float](repeating: .nan, count: most * rows)
                Matmul.forward(&batched, x, n: most, w, activations: activations)
                for n in Array(1...9) + [17, 65] {
                    var out = [Float](repeating: .nan, count: n * rows)
                    Matmul.forward(&out, x, n: n, w, activations: activations)
                    #expect(out.map(\.bitPattern) == batched[0..<n * rows].map(\.bitPattern), "\(type) \(activations) with \(n) rows")
                }
            }
        }
    }

    /// With fp32 activations, against Double dot products of the reference dequantization
    /// (panel formats through the fp32 panel kernel, Q4_1 through dequantized rows): within 1e-5
    /// of Σ|w·x|, as fp32 accumulation over up to 1024 terms allows.
    @Test(arguments: quantized, [1, 5, 17])
    func fp32ActivationsMatchNaive(type: TensorType, tokens n: Int) {
        let cols = type.blockLength == 256 ? 768 : 160, rows = 21
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockLength, seed: UInt64(type.rawValue) + 40)
        var g = SplitMix(UInt64(n) + 77)
        let x = (0..<n * cols).map { _ in g.float() }
        bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!, owner: nil)
            var out = [Float](repeating: .nan, count: n * rows)
            Matmul.forward(&out, x, n: n, w, activations: .fp32)
            Self.expectNaive(out, w, x, n: n, label: " fp32")
        }
    }

    /// The fast SIMD row dequantizer is bit-identical to the scalar reference, on odd lengths.
    @Test(arguments: quantized)
    func rowDequantizerMatchesReference(type: TensorType) {
        for blocks in [1, 3, 17] {
            let bytes = randomBlocks(type, blocks: blocks, seed: UInt64(blocks))
            let n = blocks * type.blockLength
            var fast = [Float](repeating: .nan, count: n), reference = fast
            bytes.withUnsafeBytes { raw in
                RowDequantizer.row(&fast, raw.baseAddress!, type: type, count: n)
                Dequantize.row(&reference, raw.baseAddress!, type: type, count: n)
            }
            #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        }
    }
}
