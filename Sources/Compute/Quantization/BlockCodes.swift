/// Quantized rows as exact integer codes plus per-sub-block affine factors, the form the matrix
/// kernels multiply with. Every supported format dequantizes as
///
///     w[i] = scale[s] · code[i] − min[s]        for i in sub-block s (`subBlockLength` weights)
///
/// where codes are small integers (exact in fp32). A dot product with activations x then factors
/// into Σ_s scale[s]·(Σ_{i∈s} code[i]·x[i]) − Σ_s min[s]·(Σ_{i∈s} x[i]), so the inner loop is one
/// fused multiply-add per weight and the per-sub-block factors are applied once per 16–32
/// weights. Formats and their factors (see `Dequantize.swift` for the block layouts):
///
/// | type | sub-block | code | scale | min |
/// |---|---|---|---|---|
/// | Q4_0 | 32 | nibble − 8 | d | 0 |
/// | Q4_1 | 32 | nibble | d | −m |
/// | Q5_0 | 32 | 5-bit − 16 | d | 0 |
/// | Q8_0 | 32 | int8 | d | 0 |
/// | Q4_K | 32 | nibble | d·scale₆ | dmin·min₆ |
/// | Q6_K | 16 | 6-bit − 32 | d·scale₈ | 0 |
public enum BlockCodes {
    /// Weights sharing one scale and min.
    public static func subBlockLength(_ type: TensorType) -> Int {
        precondition(type.isQuantized)
        return type == .q6_K ? 16 : 32
    }

    /// Decodes one row of `count` weights.
    /// - Parameters:
    ///   - codes: (count) exact integer codes as fp32.
    ///   - scales: (count / subBlockLength) per-sub-block scales.
    ///   - mins: (count / subBlockLength) per-sub-block mins (subtracted).
    public static func decodeRow(codes: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>, mins: UnsafeMutablePointer<Float>,
                                 _ src: UnsafeRawPointer, type: TensorType, count: Int) {
        let blocks = count / type.blockLength
        switch type {
        case .q4_0, .q5_0, .q8_0, .q4_1:
            for b in 0..<blocks {
                let x = src + b * type.blockBytes, y = codes + 32 * b
                scales[b] = Dequantize.half(x, 0)
                mins[b] = 0
                switch type {
                case .q4_0:
                    let q = RowDequantizer.load16(x + 2)
                    RowDequantizer.store(RowDequantizer.float(q & 0x0F, minus: 8), y)
                    RowDequantizer.store(RowDequantizer.float(q &>> 4, minus: 8), y + 16)
                case .q4_1:
                    mins[b] = -Dequantize.half(x, 2)
                    let q = RowDequantizer.load16(x + 4)
                    RowDequantizer.store(RowDequantizer.float(q & 0x0F), y)
                    RowDequantizer.store(RowDequantizer.float(q &>> 4), y + 16)
                case .q5_0:
                    let qh = x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
                    let q = RowDequantizer.load16(x + 6)
                    RowDequantizer.store(RowDequantizer.float((q & 0x0F) | RowDequantizer.highBits(qh, shift: 0), minus: 16), y)
                    RowDequantizer.store(RowDequantizer.float((q &>> 4) | RowDequantizer.highBits(qh, shift: 16), minus: 16), y + 16)
                default:
                    for h in 0..<2 {
                        let q = (x + 2 + 16 * h).loadUnaligned(as: SIMD16<Int8>.self)
                        RowDequantizer.store(RowDequantizer.float(RowDequantizer.widen(q)), y + 16 * h)
                    }
                }
            }
        case .q4_K:
            for b in 0..<blocks {
                let x = src + 144 * b, y = codes + 256 * b
                let d = Dequantize.half(x, 0), dmin = Dequantize.half(x, 2)
                let packed = (x + 4).assumingMemoryBound(to: UInt8.self)
                for s in 0..<8 {
                    let (sc, m) = Dequantize.q4KScaleMin(packed, s)
                    scales[8 * b + s] = d * Float(sc)
                    mins[8 * b + s] = dmin * Float(m)
                }
                for c in 0..<4 {
                    for h in 0..<2 {
                        let q = RowDequantizer.load16(x + 16 + 32 * c + 16 * h)
                        RowDequantizer.store(RowDequantizer.float(q & 0x0F), y + 64 * c + 16 * h)
                        RowDequantizer.store(RowDequantizer.float(q &>> 4), y + 64 * c + 32 + 16 * h)
                    }
                }
            }
        case .q6_K:
            for b in 0..<blocks {
                let x = src + 210 * b, y = codes + 256 * b
                let d = Dequantize.half(x, 208)
                let sc = (x + 192).assumingMemoryBound(to: Int8.self)
                for s in 0..<16 {
                    scales[16 * b + s] = d * Float(sc[s])
                    mins[16 * b + s] = 0
                }
                for h in 0..<2 {
                    let ql = x + 64 * h, qh = x + 128 + 32 * h, out = y + 128 * h
                    for g in 0..<2 {
                        let l = 16 * g
                        let a = RowDequantizer.load16(ql + l), c = RowDequantizer.load16(ql + l + 32), hi = RowDequantizer.load16(qh + l)
                        RowDequantizer.store(RowDequantizer.float((a & 0x0F) | ((hi & 3) &<< 4), minus: 32), out + l)
                        RowDequantizer.store(RowDequantizer.float((c & 0x0F) | (((hi &>> 2) & 3) &<< 4), minus: 32), out + l + 32)
                        RowDequantizer.store(RowDequantizer.float((a &>> 4) | (((hi &>> 4) & 3) &<< 4), minus: 32), out + l + 64)
                        RowDequantizer.store(RowDequantizer.float((c &>> 4) | ((hi &>> 6) &<< 4), minus: 32), out + l + 96)
                    }
                }
            }
        case .f32, .f16, .bf16:
            preconditionFailure("\(type) is not quantized")
        }
    }

    /// Σ_i w[i]·x[i] for a decoded row: Σ_s scale[s]·(codes·x over s) − Σ_s min[s]·xSums[s].
    /// - Parameters:
    ///   - xSums: (count / subBlockLength) sums of x over each sub-block.
    @inline(__always)
    public static func dot(codes: UnsafePointer<Float>, scales: UnsafePointer<Float>, mins: UnsafePointer<Float>,
                           x: UnsafePointer<Float>, xSums: UnsafePointer<Float>, count: Int, subBlockLength S: Int) -> Float {
        // Two specialisations so the sub-block loop is fully unrolled; the arithmetic is the same.
        S == 16 ? dot16(codes, scales, mins, x, xSums, count) : dot32(codes, scales, mins, x, xSums, count)
    }

    // Written so LLVM keeps every step a 256-bit fused multiply-add: each sub-block's partial
    // products start from zero and chain through `addProduct`; starting from a product
    // (`var p = a * b`) or mixing scalar chains into the loop made it scalarise the whole loop
    // (measured: 3x slower decode).

    @inline(__always)
    static func dot32(_ codes: UnsafePointer<Float>, _ scales: UnsafePointer<Float>, _ mins: UnsafePointer<Float>,
                      _ x: UnsafePointer<Float>, _ xSums: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        for s in 0..<count / 32 {
            let c = codes + 32 * s, v = x + 32 * s
            var p = SIMD8<Float>()
            p.addProduct(load8(c), load8(v))
            p.addProduct(load8(c + 8), load8(v + 8))
            p.addProduct(load8(c + 16), load8(v + 16))
            p.addProduct(load8(c + 24), load8(v + 24))
            acc.addProduct(p, SIMD8(repeating: scales[s]))
        }
        return acc.sum() - minTerm(mins, xSums, count / 32)
    }

    @inline(__always)
    static func dot16(_ codes: UnsafePointer<Float>, _ scales: UnsafePointer<Float>, _ mins: UnsafePointer<Float>,
                      _ x: UnsafePointer<Float>, _ xSums: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        for s in 0..<count / 16 {
            let c = codes + 16 * s, v = x + 16 * s
            var p = SIMD8<Float>()
            p.addProduct(load8(c), load8(v))
            p.addProduct(load8(c + 8), load8(v + 8))
            acc.addProduct(p, SIMD8(repeating: scales[s]))
        }
        return acc.sum() - minTerm(mins, xSums, count / 16)
    }

    /// Σ_s min[s]·xSums[s].
    @inline(__always)
    static func minTerm(_ mins: UnsafePointer<Float>, _ xSums: UnsafePointer<Float>, _ n: Int) -> Float {
        var total: Float = 0
        for s in 0..<n { total.addProduct(mins[s], xSums[s]) }
        return total
    }

    /// Sums of x over consecutive sub-blocks of length S.
    public static func subBlockSums(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int, subBlockLength S: Int) {
        for s in 0..<count / S {
            var v = SIMD8<Float>()
            var i = 0
            while i < S {
                v += load8(x + s * S + i) + load8(x + s * S + i + 8)
                i += 16
            }
            out[s] = v.sum()
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
}
