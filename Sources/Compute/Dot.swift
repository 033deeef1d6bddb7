/// Dot products and small vector kernels on fp32 buffers.
///
/// Reductions use two `SIMD16<Float>` accumulators over 32-element steps and a scalar tail, always
/// in the same order for a given length, so a dot product's value depends only on its inputs and
/// not on which batch or thread computed it.
public enum Vector {
    /// Σ a[i]·b[i] for i in 0..<n.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let a0 = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let b0 = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            let a1 = UnsafeRawPointer(a + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            let b1 = UnsafeRawPointer(b + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            acc0.addProduct(a0, b0)
            acc1.addProduct(a1, b1)
            i += 32
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum.addProduct(a[i], b[i])
            i += 1
        }
        return sum
    }

    /// y[i] += alpha · x[i].
    @inline(__always)
    public static func axpy(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let a = SIMD16<Float>(repeating: alpha)
        while i + 16 <= n {
            var v = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            v.addProduct(a, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self))
            UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            y[i].addProduct(alpha, x[i])
            i += 1
        }
    }
}
