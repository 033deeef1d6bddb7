import Compute
import Foundation

/// h = silu(a) ⊙ b with silu(z) = z σ(z), forward beside backward.
enum SwiGLU {
    /// h (n) from gate pre-activation a (n) and up projection b (n).
    static func forward(_ h: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) {
        Kernels.swiGLU(h, gate: a, up: b, count: n)
    }

    /// Adds dL/da into da and dL/db into db from dh: da = dh · b · σ(a)(1 + a(1 − σ(a))), db = dh · silu(a).
    static func backward(_ da: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>, _ dh: UnsafePointer<Float>,
                         _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let z = a[i]
            let sig = 1 / (1 + Foundation.exp(-z))
            da[i] += dh[i] * b[i] * sig * (1 + z * (1 - sig))
            db[i] += dh[i] * z * sig
        }
    }
}
