import Compute

/// RMSNorm y = x · ρ ⊙ g with ρ = 1 / √(mean(x²) + ε), forward beside backward.
/// Legend: T rows, C channels.
enum RMSNorm {
    /// y (T, C) from x (T, C) and gain g (C); the same kernel, and so the same rounding, as inference.
    static func forward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                        rows: Int, cols: Int, eps: Float) {
        Kernels.rmsNorm(y, x, g, rows: rows, cols: cols, eps: eps)
    }

    /// Adds dL/dx into dx (T, C) and, when given, dL/dg into dg (C), from dy (T, C).
    /// dx = ρ (dy ⊙ g) − ρ³/C · x · Σ (dy ⊙ g ⊙ x); dg = Σ_t dy ⊙ x ρ. ρ is recomputed as forward does.
    static func backward(_ dx: UnsafeMutablePointer<Float>, _ dg: UnsafeMutablePointer<Float>?, _ dy: UnsafePointer<Float>,
                         _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float) {
        for t in 0..<rows {
            let xr = x + t * cols, dyr = dy + t * cols, dxr = dx + t * cols
            var sum = 0.0
            for c in 0..<cols { sum += Double(xr[c] * xr[c]) }
            let rho = 1 / (Float(sum / Double(cols)) + eps).squareRoot()
            var dot = 0.0
            for c in 0..<cols { dot += Double(dyr[c] * g[c] * xr[c]) }
            let k = rho * rho * rho * Float(dot / Double(cols))
            for c in 0..<cols { dxr[c] += rho * dyr[c] * g[c] - k * xr[c] }
            if let dg { for c in 0..<cols { dg[c] += dyr[c] * xr[c] * rho } }
        }
    }
}
