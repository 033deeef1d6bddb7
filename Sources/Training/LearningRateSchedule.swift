import Foundation

/// The learning rate as a function of the optimizer step (1-based).
public enum LearningRateSchedule: Codable, Sendable, Equatable {
    case constant
    /// Linear warm-up from 0 over `warmupSteps`, then half a cosine from the peak down to
    /// `minRatio` · peak at `totalSteps` (Loshchilov & Hutter, SGDR, without restarts).
    case warmupCosine(warmupSteps: Int, totalSteps: Int, minRatio: Double)

    /// The multiplier on the peak learning rate at `step` (1-based).
    public func factor(step: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case let .warmupCosine(warmup, total, minRatio):
            if step <= warmup { return Double(step) / Double(max(1, warmup)) }
            let progress = min(1, Double(step - warmup) / Double(max(1, total - warmup)))
            return minRatio + (1 - minRatio) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }
}
