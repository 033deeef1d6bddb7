import Foundation
import Testing
import Training

struct AdamWTests {
    func layout() -> ParameterLayout {
        var l = ParameterLayout()
        l.add("w", shape: [2, 3], decay: true)
        l.add("norm", shape: [3], decay: false)
        return l
    }

    /// Three steps against the update written out in Double, with decay, clipping and warm-up.
    @Test func matchesTheUpdateRule() {
        let l = layout()
        let config = AdamWConfig(learningRate: 0.1, weightDecay: 0.05, maxGradientNorm: 0.5,
                                 schedule: .warmupCosine(warmupSteps: 2, totalSteps: 4, minRatio: 0.1))
        let opt = AdamW(layout: l, config: config)
        let p = FloatBuffer((0..<9).map { Float($0) * 0.1 - 0.4 })
        var ref = p.array.map(Double.init), m = [Double](repeating: 0, count: 9), v = m
        for step in 1...3 {
            let g = FloatBuffer((0..<9).map { Float(sin(Double($0 * step))) })
            let report = opt.update(p, gradients: g)
            let gd = g.array.map(Double.init)
            let norm = gd.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(report.gradientNorm - norm) < 1e-9)
            let clip = norm > 0.5 ? 0.5 / (norm + 1e-6) : 1
            let lr = 0.1 * config.schedule.factor(step: step)
            for i in 0..<9 {
                let gi = gd[i] * clip
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.999 * v[i] + 0.001 * gi * gi
                let mh = m[i] / (1 - pow(0.9, Double(step))), vh = v[i] / (1 - pow(0.999, Double(step)))
                ref[i] -= (i < 6 ? lr * 0.05 * ref[i] : 0) + lr * mh / (vh.squareRoot() + 1e-8)
            }
            // fp32 moments and parameters: ~1e-7 relative per operation, updates of ~0.1 per step.
            for i in 0..<9 { #expect(abs(Double(p[i]) - ref[i]) < 1e-5, "step \(step) element \(i): \(p[i]) vs \(ref[i])") }
        }
    }

    @Test func schedules() {
        let s = LearningRateSchedule.warmupCosine(warmupSteps: 10, totalSteps: 110, minRatio: 0.1)
        #expect(s.factor(step: 5) == 0.5)
        #expect(s.factor(step: 10) == 1)
        #expect(abs(s.factor(step: 60) - 0.55) < 1e-12)
        #expect(abs(s.factor(step: 110) - 0.1) < 1e-12)
        #expect(abs(s.factor(step: 500) - 0.1) < 1e-12)
        #expect(LearningRateSchedule.constant.factor(step: 7) == 1)
    }

    /// Norm gains and biases are not decayed unless asked: with zero gradients only decay moves weights.
    @Test func decayOnlyOnMatrices() {
        let l = layout()
        for all in [false, true] {
            let opt = AdamW(layout: l, config: AdamWConfig(learningRate: 0.1, weightDecay: 0.5, decayNormsAndBiases: all))
            let p = FloatBuffer([Float](repeating: 1, count: 9))
            opt.update(p, gradients: FloatBuffer(count: 9))
            #expect(p[0] == 0.95)
            #expect(p[8] == (all ? 0.95 : 1))
        }
    }
}
