/// Fast dequantization of whole rows with SIMD, for the matrix kernels. Each element is computed
/// with the same operations in the same order as the scalar reference in `Dequantize.swift`
/// (multiply, then subtract or add; never a fused multiply-add), so the two are bit-identical;
/// the tests hold them to that.
public enum RowDequantizer {
    /// Dequantizes `count` elements (a whole number of blocks) of `type` from `src` into `dst`.
    /// - Parameters:
    ///   - dst: (count) fp32 output.
    ///   - src: `type.byteCount(elements: count)` bytes.
    @inline(__always)
    public static func row(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafeRawPointer, type: TensorType, count: Int) {
        let blocks = count / type.blockLength
        switch type {
        case .f32: dst.update(from: src.assumingMemoryBound(to: Float.self), count: count)
        case .f16: f16(dst, src, count)
        case .bf16: bf16(dst, src, count)
        case .q4_0: for b in 0..<blocks { q4_0(dst + 32 * b, src + 18 * b) }
        case .q4_1: for b in 0..<blocks { q4_1(dst + 32 * b, src + 20 * b) }
        case .q5_0: for b in 0..<blocks { q5_0(dst + 32 * b, src + 22 * b) }
        case .q8_0: for b in 0..<blocks { q8_0(dst + 32 * b, src + 34 * b) }
        case .q4_K: for b in 0..<blocks { q4_K(dst + 256 * b, src + 144 * b) }
        case .q6_K: for b in 0..<blocks { q6_K(dst + 256 * b, src + 210 * b) }
        }
    }

    @inline(__always)
    static func load16(_ p: UnsafeRawPointer) -> SIMD16<UInt8> { p.loadUnaligned(as: SIMD16<UInt8>.self) }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    // The standard library's generic SIMD conversion initialisers compile to out-of-line calls
    // here (measured: half of decode time); lane-by-lane loops are vectorised by LLVM into
    // single zero-extend / sign-extend / convert instructions.

    @inline(__always)
    static func widen(_ v: SIMD16<UInt8>) -> SIMD16<Int32> {
        var r = SIMD16<Int32>()
        for i in 0..<16 { r[i] = Int32(v[i]) }
        return r
    }

    @inline(__always)
    static func widen(_ v: SIMD16<Int8>) -> SIMD16<Int32> {
        var r = SIMD16<Int32>()
        for i in 0..<16 { r[i] = Int32(v[i]) }
        return r
    }

    @inline(__always)
    static func float(_ v: SIMD16<Int32>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Float(v[i]) }
        return r
    }

    /// Unsigned bytes to floats (exact).
    @inline(__always)
    static func float(_ v: SIMD16<UInt8>) -> SIMD16<Float> { float(widen(v)) }

    /// Bytes minus an offset, to floats (exact: the results are small integers).
    @inline(__always)
    static func float(_ v: SIMD16<UInt8>, minus offset: Int32) -> SIMD16<Float> { float(widen(v) &- offset) }

    static func f16(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            store(SIMD16<Float>(x.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<Float16>.self)), y + i)
            i += 16
        }
        while i < n {
            y[i] = Float(x.loadUnaligned(fromByteOffset: 2 * i, as: Float16.self))
            i += 1
        }
    }

    static func bf16(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            let halves = x.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<UInt16>.self)
            var bits = SIMD16<UInt32>()
            for j in 0..<16 { bits[j] = UInt32(halves[j]) &<< 16 }
            store(unsafeBitCast(bits, to: SIMD16<Float>.self), y + i)
            i += 16
        }
        while i < n {
            y[i] = Dequantize.bf16ToFloat(x.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            i += 1
        }
    }

    @inline(__always)
    static func q4_0(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = SIMD16<Float>(repeating: Dequantize.half(x, 0))
        let q = load16(x + 2)
        store(float(q & 0x0F, minus: 8) * d, y)
        store(float(q &>> 4, minus: 8) * d, y + 16)
    }

    @inline(__always)
    static func q4_1(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = SIMD16<Float>(repeating: Dequantize.half(x, 0))
        let m = SIMD16<Float>(repeating: Dequantize.half(x, 2))
        let q = load16(x + 4)
        store(float(q & 0x0F) * d + m, y)
        store(float(q &>> 4) * d + m, y + 16)
    }

    /// Bit j of `qh` becomes bit 4 of lane j (lanes 0..<16 take bits `shift`..<`shift`+16,
    /// `shift` being 0 or 16): each lane tests its bit within a broadcast byte.
    @inline(__always)
    static func highBits(_ qh: UInt32, shift: UInt32) -> SIMD16<UInt8> {
        let lo = UInt8(truncatingIfNeeded: qh >> shift), hi = UInt8(truncatingIfNeeded: qh >> (shift + 8))
        let bytes = SIMD16<UInt8>(lowHalf: SIMD8(repeating: lo), highHalf: SIMD8(repeating: hi))
        let bit = SIMD16<UInt8>(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128)
        return SIMD16<UInt8>(repeating: 0).replacing(with: 0x10, where: (bytes & bit) .== bit)
    }

    @inline(__always)
    static func q5_0(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = SIMD16<Float>(repeating: Dequantize.half(x, 0))
        let qh = x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
        let q = load16(x + 6)
        store(float((q & 0x0F) | highBits(qh, shift: 0), minus: 16) * d, y)
        store(float((q &>> 4) | highBits(qh, shift: 16), minus: 16) * d, y + 16)
    }

    @inline(__always)
    static func q8_0(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = SIMD16<Float>(repeating: Dequantize.half(x, 0))
        for h in 0..<2 {
            let q = (x + 2 + 16 * h).loadUnaligned(as: SIMD16<Int8>.self)
            store(float(widen(q)) * d, y + 16 * h)
        }
    }

    @inline(__always)
    static func q4_K(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = Dequantize.half(x, 0), dmin = Dequantize.half(x, 2)
        let scales = (x + 4).assumingMemoryBound(to: UInt8.self)
        for c in 0..<4 {
            let (sc0, m0) = Dequantize.q4KScaleMin(scales, 2 * c)
            let (sc1, m1) = Dequantize.q4KScaleMin(scales, 2 * c + 1)
            let d0 = SIMD16<Float>(repeating: d * Float(sc0)), min0 = SIMD16<Float>(repeating: dmin * Float(m0))
            let d1 = SIMD16<Float>(repeating: d * Float(sc1)), min1 = SIMD16<Float>(repeating: dmin * Float(m1))
            let out = y + 64 * c
            for h in 0..<2 {
                let q = load16(x + 16 + 32 * c + 16 * h)
                store(d0 * float(q & 0x0F) - min0, out + 16 * h)
                store(d1 * float(q &>> 4) - min1, out + 32 + 16 * h)
            }
        }
    }

    @inline(__always)
    static func q6_K(_ y: UnsafeMutablePointer<Float>, _ x: UnsafeRawPointer) {
        let d = Dequantize.half(x, 208)
        let sc = (x + 192).assumingMemoryBound(to: Int8.self)
        for h in 0..<2 {
            let ql = x + 64 * h, qh = x + 128 + 32 * h
            let out = y + 128 * h
            for g in 0..<2 {
                let l = 16 * g
                let a = load16(ql + l), b = load16(ql + l + 32), hi = load16(qh + l)
                let q1 = (a & 0x0F) | ((hi & 3) &<< 4)
                let q2 = (b & 0x0F) | (((hi &>> 2) & 3) &<< 4)
                let q3 = (a &>> 4) | (((hi &>> 4) & 3) &<< 4)
                let q4 = (b &>> 4) | ((hi &>> 6) &<< 4)
                let s = sc + 8 * h + g
                store(SIMD16<Float>(repeating: d * Float(s[0])) * float(q1, minus: 32), out + l)
                store(SIMD16<Float>(repeating: d * Float(s[2])) * float(q2, minus: 32), out + l + 32)
                store(SIMD16<Float>(repeating: d * Float(s[4])) * float(q3, minus: 32), out + l + 64)
                store(SIMD16<Float>(repeating: d * Float(s[6])) * float(q4, minus: 32), out + l + 96)
            }
        }
    }
}
