/// Dot products of one quantized row with one activation row, decoding the codes in registers
/// instead of through a scratch row (`BlockCodes.decodeRow` + `BlockCodes.dot`). The arithmetic
/// is exactly that of `BlockCodes.dot` — same codes, same grouping of eight lanes, same order of
/// sub-blocks — so the two paths give bit-identical results (tested); `Matmul` picks whichever is
/// cheaper for the number of activation rows. Decoding in registers saves a store and a reload
/// per weight, which is what single-token decoding is bound by.
public enum FusedDot {
    /// Whether `type` has a fused kernel.
    public static func supports(_ type: TensorType) -> Bool {
        switch type {
        case .q8_0, .q5_0, .q4_K, .q6_K: true
        default: false
        }
    }

    /// - Parameters:
    ///   - row: `type.byteCount(elements: count)` bytes.
    ///   - x: (count) activations.
    ///   - xSums: (count / BlockCodes.subBlockLength(type)) sub-block sums of x.
    @inline(__always)
    public static func dot(_ row: UnsafeRawPointer, type: TensorType, x: UnsafePointer<Float>, xSums: UnsafePointer<Float>, count: Int) -> Float {
        switch type {
        case .q8_0: q8_0(row, x, count)
        case .q5_0: q5_0(row, x, count)
        case .q4_K: q4_K(row, x, xSums, count)
        case .q6_K: q6_K(row, x, count)
        default: preconditionFailure("no fused kernel for \(type)")
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    @inline(__always)
    static func float(_ v: SIMD8<UInt8>) -> SIMD8<Float> {
        var r = SIMD8<Float>()
        for i in 0..<8 { r[i] = Float(Int32(v[i])) }
        return r
    }

    @inline(__always)
    static func float(_ v: SIMD8<UInt8>, minus offset: Int32) -> SIMD8<Float> {
        var r = SIMD8<Float>()
        for i in 0..<8 { r[i] = Float(Int32(v[i]) - offset) }
        return r
    }

    @inline(__always)
    static func float(_ v: SIMD8<Int8>) -> SIMD8<Float> {
        var r = SIMD8<Float>()
        for i in 0..<8 { r[i] = Float(Int32(v[i])) }
        return r
    }

    /// Codes of one 16-lane group as two 8-lane float vectors times x, chained into `p`.
    @inline(__always)
    static func accumulate(_ p: inout SIMD8<Float>, _ codes: SIMD16<UInt8>, minus offset: Int32, _ x: UnsafePointer<Float>) {
        p.addProduct(float(codes.lowHalf, minus: offset), load8(x))
        p.addProduct(float(codes.highHalf, minus: offset), load8(x + 8))
    }

    @inline(__always)
    static func accumulate(_ p: inout SIMD8<Float>, _ codes: SIMD16<UInt8>, _ x: UnsafePointer<Float>) {
        p.addProduct(float(codes.lowHalf), load8(x))
        p.addProduct(float(codes.highHalf), load8(x + 8))
    }

    static func q8_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<count / 32 {
            let blk = row + 34 * b, v = x + 32 * b
            var p = SIMD8<Float>()
            for i in 0..<4 {
                p.addProduct(float((blk + 2 + 8 * i).loadUnaligned(as: SIMD8<Int8>.self)), load8(v + 8 * i))
            }
            acc.addProduct(p, SIMD8(repeating: Dequantize.half(blk, 0)))
        }
        return acc.sum()
    }

    static func q5_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<count / 32 {
            let blk = row + 22 * b, v = x + 32 * b
            let qh = blk.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            let q = RowDequantizer.load16(blk + 6)
            var p = SIMD8<Float>()
            accumulate(&p, (q & 0x0F) | RowDequantizer.highBits(qh, shift: 0), minus: 16, v)
            accumulate(&p, (q &>> 4) | RowDequantizer.highBits(qh, shift: 16), minus: 16, v + 16)
            acc.addProduct(p, SIMD8(repeating: Dequantize.half(blk, 0)))
        }
        return acc.sum()
    }

    static func q4_K(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ xSums: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        var minTotal: Float = 0
        for b in 0..<count / 256 {
            let blk = row + 144 * b
            let d = Dequantize.half(blk, 0), dmin = Dequantize.half(blk, 2)
            let packed = (blk + 4).assumingMemoryBound(to: UInt8.self)
            for c in 0..<4 {
                let q0 = RowDequantizer.load16(blk + 16 + 32 * c), q1 = RowDequantizer.load16(blk + 32 + 32 * c)
                let v = x + 256 * b + 64 * c
                let (sc0, _) = Dequantize.q4KScaleMin(packed, 2 * c)
                let (sc1, _) = Dequantize.q4KScaleMin(packed, 2 * c + 1)
                var p = SIMD8<Float>()
                accumulate(&p, q0 & 0x0F, v)
                accumulate(&p, q1 & 0x0F, v + 16)
                acc.addProduct(p, SIMD8(repeating: d * Float(sc0)))
                var p2 = SIMD8<Float>()
                accumulate(&p2, q0 &>> 4, v + 32)
                accumulate(&p2, q1 &>> 4, v + 48)
                acc.addProduct(p2, SIMD8(repeating: d * Float(sc1)))
            }
            _ = dmin
        }
        // The min term in sub-block order, after all sub-blocks, as BlockCodes.dot does.
        for b in 0..<count / 256 {
            let blk = row + 144 * b
            let dmin = Dequantize.half(blk, 2)
            let packed = (blk + 4).assumingMemoryBound(to: UInt8.self)
            for s in 0..<8 {
                minTotal.addProduct(dmin * Float(Dequantize.q4KScaleMin(packed, s).min), xSums[8 * b + s])
            }
        }
        return acc.sum() - minTotal
    }

    static func q6_K(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<count / 256 {
            let blk = row + 210 * b
            let d = Dequantize.half(blk, 208)
            let sc = (blk + 192).assumingMemoryBound(to: Int8.self)
            for h in 0..<2 {
                let ql = blk + 64 * h, qh = blk + 128 + 32 * h
                let a0 = RowDequantizer.load16(ql), a1 = RowDequantizer.load16(ql + 16)
                let c0 = RowDequantizer.load16(ql + 32), c1 = RowDequantizer.load16(ql + 48)
                let h0 = RowDequantizer.load16(qh), h1 = RowDequantizer.load16(qh + 16)
                // Sub-block 8h + 2j + g holds outputs 128h + 32j + 16g ..< +16; visit them in order.
                let codes: [(SIMD16<UInt8>, SIMD16<UInt8>)] = [
                    ((a0 & 0x0F) | ((h0 & 3) &<< 4), (a1 & 0x0F) | ((h1 & 3) &<< 4)),
                    ((c0 & 0x0F) | (((h0 &>> 2) & 3) &<< 4), (c1 & 0x0F) | (((h1 &>> 2) & 3) &<< 4)),
                    ((a0 &>> 4) | (((h0 &>> 4) & 3) &<< 4), (a1 &>> 4) | (((h1 &>> 4) & 3) &<< 4)),
                    ((c0 &>> 4) | ((h0 &>> 6) &<< 4), (c1 &>> 4) | ((h1 &>> 6) &<< 4)),
                ]
                for j in 0..<4 {
                    let v = x + 256 * b + 128 * h + 32 * j
                    var p = SIMD8<Float>()
                    accumulate(&p, codes[j].0, minus: 32, v)
                    acc.addProduct(p, SIMD8(repeating: d * Float(sc[8 * h + 2 * j])))
                    var p2 = SIMD8<Float>()
                    accumulate(&p2, codes[j].1, minus: 32, v + 16)
                    acc.addProduct(p2, SIMD8(repeating: d * Float(sc[8 * h + 2 * j + 1])))
                }
            }
        }
        return acc.sum()
    }
}
