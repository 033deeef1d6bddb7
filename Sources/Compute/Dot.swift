/// Dot products and small vector kernels on fp32 buffers.
///
/// Reductions use two `SIMD16<Float>` accumulators over 32-element steps and a scalar tail, always
/// in the same order for a given length, so a dot product's value depends only on its inputs and
/// not on which batch or thread computed it.
public enum Vector {
    /// The largest of x[0..<n] (n ≥ 1); NaN where any element is NaN.
    public static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = SIMD16<Float>(repeating: x[0]), nan = false
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            nan = nan || any(v .!= v)
            m = m.replacing(with: v, where: v .> m)
            i += 16
        }
        var result = m.max()
        while i < n {
            nan = nan || x[i].isNaN
            result = Swift.max(result, x[i])
            i += 1
        }
        return nan ? .nan : result
    }

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

    /// (Σ a[i]·b0[i], Σ a[i]·b1[i]): two dot products sharing `a`, each with the bits of
    /// `dot(a, b, n)` (same accumulators, same order); `a` is loaded once for both, which is what
    /// makes a weight row against several activation rows faster than one at a time.
    @inline(__always)
    public static func dot2(_ a: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
        var p0 = SIMD16<Float>(), p1 = SIMD16<Float>(), q0 = SIMD16<Float>(), q1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let a0 = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let a1 = UnsafeRawPointer(a + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            p0.addProduct(a0, UnsafeRawPointer(b0 + i).loadUnaligned(as: SIMD16<Float>.self))
            p1.addProduct(a1, UnsafeRawPointer(b0 + i + 16).loadUnaligned(as: SIMD16<Float>.self))
            q0.addProduct(a0, UnsafeRawPointer(b1 + i).loadUnaligned(as: SIMD16<Float>.self))
            q1.addProduct(a1, UnsafeRawPointer(b1 + i + 16).loadUnaligned(as: SIMD16<Float>.self))
            i += 32
        }
        var s0 = (p0 + p1).sum(), s1 = (q0 + q1).sum()
        while i < n {
            s0.addProduct(a[i], b0[i])
            s1.addProduct(a[i], b1[i])
            i += 1
        }
        return (s0, s1)
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
