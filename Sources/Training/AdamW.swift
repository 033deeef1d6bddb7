import Foundation

/// AdamW hyperparameters (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019).
public struct AdamWConfig: Codable, Sendable, Equatable {
    public var learningRate: Double
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-8
    public var weightDecay: Double = 0
    /// Also decay norm gains and biases (off by default: shrinking them toward 0 has no regularising meaning).
    public var decayNormsAndBiases = false
    /// Rescale the gradients so their global L2 norm is at most this; nil: no clipping.
    public var maxGradientNorm: Double? = 1
    public var schedule: LearningRateSchedule = .constant

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, decayNormsAndBiases: Bool = false, maxGradientNorm: Double? = 1,
                schedule: LearningRateSchedule = .constant) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decayNormsAndBiases = decayNormsAndBiases
        self.maxGradientNorm = maxGradientNorm; self.schedule = schedule
    }
}

/// AdamW over the flat parameter buffer: both moments are fp32 buffers in the parameters' layout,
/// so one step is one pass over contiguous memory (entries only decide whether decay applies).
public final class AdamW {
    public let config: AdamWConfig
    public let layout: ParameterLayout
    /// First moment, in `layout`.
    public let m: FloatBuffer
    /// Second moment, in `layout`.
    public let v: FloatBuffer
    /// Steps taken so far.
    public internal(set) var step = 0

    public struct StepReport: Sendable {
        /// Global L2 norm of the gradients before clipping.
        public var gradientNorm: Double
        public var learningRate: Double
    }

    public init(layout: ParameterLayout, config: AdamWConfig) {
        self.layout = layout
        self.config = config
        m = FloatBuffer(count: layout.count)
        v = FloatBuffer(count: layout.count)
    }

    /// Global L2 norm of `g`, summed in Double.
    public static func norm(_ g: FloatBuffer) -> Double {
        var s = 0.0
        for i in 0..<g.count { s += Double(g[i]) * Double(g[i]) }
        return s.squareRoot()
    }

    /// Updates `parameters` in place from `gradients` (both in `layout`); gradients are left as they were.
    @discardableResult
    public func update(_ parameters: FloatBuffer, gradients: FloatBuffer) -> StepReport {
        precondition(parameters.count == layout.count && gradients.count == layout.count)
        step += 1
        let c = config
        let norm = Self.norm(gradients)
        let clip = c.maxGradientNorm.map { norm > $0 ? $0 / (norm + 1e-6) : 1 } ?? 1
        let lr = c.learningRate * c.schedule.factor(step: step)
        let b1 = Float(c.beta1), b2 = Float(c.beta2), eps = Float(c.epsilon), g0 = Float(clip)
        let correction1 = Float(1 / (1 - pow(c.beta1, Double(step))))
        let correction2 = Float(1 / (1 - pow(c.beta2, Double(step))))
        let p = parameters.pointer, g = gradients.pointer, m = m.pointer, v = v.pointer
        for e in layout.entries {
            let decay = e.decay || c.decayNormsAndBiases ? Float(lr * c.weightDecay) : 0
            let lrf = Float(lr)
            for i in e.offset..<(e.offset + e.count) {
                let gi = g[i] * g0
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                let mHat = m[i] * correction1, vHat = v[i] * correction2
                p[i] -= decay * p[i] + lrf * mHat / (vHat.squareRoot() + eps)
            }
        }
        return StepReport(gradientNorm: norm, learningRate: lr)
    }
}
