import Compute
import Foundation
import Testing

struct ExpTests {
    /// Against Double exp on a dense grid of (−87, 0] plus some positive values: relative error
    /// below 2e-7 (the polynomial's 4e-9 plus fp32 rounding of the reduction and the product).
    @Test func matchesDoubleExp() {
        var worst = 0.0
        for start in stride(from: 0, to: 1_400_000, by: 16) {
            let x = SIMD16<Float>((0..<16).map { Float(-(start + $0)) / 16_000 + 2 })
            let e = Vector.exp(x)
            for i in 0..<16 {
                let reference = Foundation.exp(Double(x[i]))
                worst = max(worst, abs(Double(e[i]) - reference) / reference)
            }
        }
        #expect(worst < 2e-7, "worst relative error \(worst)")
    }

    /// Σ e^(x − shift) against a Double reference on odd lengths (tails of 1 to 15 lanes, runs of
    /// 1,024), including a vocabulary-sized row: relative error below 1e-6.
    @Test(arguments: [1, 3, 17, 1023, 1025, 151_936])
    func sumExpMatchesDouble(n: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(n)
        let x = (0..<n).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 40 - 30
        }
        let shift = x.max()!
        let reference = x.reduce(0.0) { $0 + Foundation.exp(Double($1) - Double(shift)) }
        let fast = x.withUnsafeBufferPointer { Vector.sumExp($0.baseAddress!, n, shift: shift) }
        #expect(abs(fast - reference) / reference < 1e-6, "n = \(n): \(fast) vs \(reference)")
    }

    /// SwiGLU against Double silu(z)·u: within 3e-7 relative (Vector.exp's error plus fp32
    /// rounding of the sum, division and product) on every length from 1 to 40 (full vectors and
    /// tails) and on gates out to ±100, where e^(−z) is capped.
    @Test func swiGLUMatchesDouble() {
        for count in 1...40 {
            let gate = (0..<count).map { Float($0 * 37 % 41) * 5 - 100 + Float(count) / 7 }
            let up = (0..<count).map { Float($0 % 7) - 3.5 }
            var out = [Float](repeating: .nan, count: count)
            Kernels.swiGLU(&out, gate: gate, up: up, count: count)
            for i in 0..<count {
                let z = Double(gate[i]), reference = z / (1 + Foundation.exp(-z)) * Double(up[i])
                #expect(abs(Double(out[i]) - reference) <= 3e-7 * abs(reference) + 1e-30, "count \(count) [\(i)]: z = \(z)")
            }
        }
    }
}
