/// Reference dequantizers: one block at a time, scalar, in the exact order of operations of
/// ggml's `dequantize_row_*` (ggml-quants.c), so results are bit-identical with ggml and with the
/// `gguf` Python package. The fast fused kernels in `QuantizedDot.swift` are tested against these.
///
/// All multi-byte fields are little-endian. `d`, `m`, `dmin` are IEEE half floats.
public enum Dequantize {
    /// Dequantizes `count` elements of type `type` from `src` into `dst`.
    /// - Parameters:
    ///   - dst: (count) fp32 output.
    ///   - src: `type.byteCount(elements: count)` bytes.
    public static func row(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafeRawPointer, type: TensorType, count: Int) {
        let blocks = count / type.blockLength
        precondition(blocks * type.blockLength == count)
        for b in 0..<blocks {
            let block = src + b * type.blockBytes
            let out = dst + b * type.blockLength
            switch type {
            case .f32: out[0] = block.loadUnaligned(as: Float.self)
            case .f16: out[0] = Float(block.loadUnaligned(as: Float16.self))
            case .bf16: out[0] = bf16ToFloat(block.loadUnaligned(as: UInt16.self))
            case .q4_0: q4_0(out, block)
            case .q4_1: q4_1(out, block)
            case .q5_0: q5_0(out, block)
            case .q8_0: q8_0(out, block)
            case .q4_K: q4_K(out, block)
            case .q6_K: q6_K(out, block)
            }
        }
    }

    /// bf16 is the upper half of an fp32 bit pattern.
    @inline(__always)
    public static func bf16ToFloat(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    @inline(__always)
    public static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(p.loadUnaligned(fromByteOffset: offset, as: Float16.self))
    }

    /// Q4_0: y[j] = (lo(qs[j]) − 8)·d, y[j+16] = (hi(qs[j]) − 8)·d.
    static func q4_0(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = half(x, 0)
        let qs = (x + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            y[j] = Float(Int32(qs[j] & 0x0F) - 8) * d
            y[j + 16] = Float(Int32(qs[j] >> 4) - 8) * d
        }
    }

    /// Q4_1: y[j] = lo(qs[j])·d + m, y[j+16] = hi(qs[j])·d + m.
    static func q4_1(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = half(x, 0), m = half(x, 2)
        let qs = (x + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            y[j] = Float(qs[j] & 0x0F) * d + m
            y[j + 16] = Float(qs[j] >> 4) * d + m
        }
    }

    /// Q5_0: the fifth bit of weight j is bit j of the 32-bit `qh`;
    /// y[j] = ((lo(qs[j]) | bit j << 4) − 16)·d, y[j+16] likewise with hi(qs[j]) and bit j+16.
    static func q5_0(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = half(x, 0)
        let qh = x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
        let qs = (x + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let h0 = Int32((qh >> UInt32(j)) << 4 & 0x10)
            let h1 = Int32((qh >> UInt32(j + 12)) & 0x10)
            y[j] = Float((Int32(qs[j] & 0x0F) | h0) - 16) * d
            y[j + 16] = Float((Int32(qs[j] >> 4) | h1) - 16) * d
        }
    }

    /// Q8_0: y[j] = qs[j]·d.
    static func q8_0(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = half(x, 0)
        let qs = (x + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { y[j] = Float(qs[j]) * d }
    }

    /// The 6-bit scale and min of sub-block `j` (0..<8) of a Q4_K block, packed in 12 bytes:
    /// sub-blocks 0–3 keep theirs in the low 6 bits of bytes j and j+4; sub-blocks 4–7 take their
    /// low 4 bits from byte j+4 and their top 2 bits from the spare high bits of bytes j−4 and j.
    @inline(__always)
    public static func q4KScaleMin(_ scales: UnsafePointer<UInt8>, _ j: Int) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (scales[j] & 63, scales[j + 4] & 63)
        }
        return ((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4),
                (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4))
    }

    /// Q4_K: 8 sub-blocks of 32; sub-block s has y = (d·scale_s)·q − dmin·min_s. Nibbles are laid
    /// out in 4 chunks of 32 bytes; chunk c holds sub-block 2c in its low and 2c+1 in its high nibbles.
    static func q4_K(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = half(x, 0), dmin = half(x, 2)
        let scales = (x + 4).assumingMemoryBound(to: UInt8.self)
        let qs = (x + 16).assumingMemoryBound(to: UInt8.self)
        for c in 0..<4 {
            let (sc0, m0) = q4KScaleMin(scales, 2 * c)
            let (sc1, m1) = q4KScaleMin(scales, 2 * c + 1)
            let d0 = d * Float(sc0), min0 = dmin * Float(m0)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let q = qs + 32 * c
            let out = y + 64 * c
            for l in 0..<32 { out[l] = d0 * Float(q[l] & 0x0F) - min0 }
            for l in 0..<32 { out[32 + l] = d1 * Float(q[l] >> 4) - min1 }
        }
    }

    /// Q6_K: 16 sub-blocks of 16 with int8 scales; each weight is 4 low bits from `ql` and 2 high
    /// bits from `qh`, minus 32; y = d·scale·q. Two halves of 128 weights, each using 64 B of `ql`,
    /// 32 B of `qh` and 8 scales; within a half, position l (0..<32) feeds outputs l, l+32, l+64, l+96.
    static func q6_K(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let ql0 = x.assumingMemoryBound(to: UInt8.self)
        let qh0 = (x + 128).assumingMemoryBound(to: UInt8.self)
        let sc0 = (x + 192).assumingMemoryBound(to: Int8.self)
        let d = half(x, 208)
        for h in 0..<2 {
            let ql = ql0 + 64 * h, qh = qh0 + 32 * h, sc = sc0 + 8 * h
            let out = y + 128 * h
            for l in 0..<32 {
                let s = l / 16
                let q1 = Int32((ql[l] & 0x0F) | ((qh[l] >> 0) & 3) << 4) - 32
                let q2 = Int32((ql[l + 32] & 0x0F) | ((qh[l] >> 2) & 3) << 4) - 32
                let q3 = Int32((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32
                let q4 = Int32((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32
                out[l] = d * Float(sc[s]) * Float(q1)
                out[l + 32] = d * Float(sc[s + 2]) * Float(q2)
                out[l + 64] = d * Float(sc[s + 4]) * Float(q3)
                out[l + 96] = d * Float(sc[s + 6]) * Float(q4)
            }
        }
    }
}
