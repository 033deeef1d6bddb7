import Foundation

/// Supervised fine-tuning: mean negative log-likelihood of the completion tokens over each batch,
/// gradients accumulated over micro-batches, one AdamW step per batch, examples in `DataOrder`.
public final class SFTTrainer {
    public let model: TrainableModel
    public let optimizer: AdamW
    public let examples: [SFTExample]
    public let batchSize: Int
    public let microBatchSize: Int
    public let seed: UInt64
    public var options: ForwardOptions
    /// Examples consumed so far.
    public private(set) var dataPosition = 0
    /// Draws dropout masks.
    public var rng: SplitMix64

    public struct StepReport: Sendable {
        public var loss: Double
        public var gradientNorm: Double
        public var learningRate: Double
        public var tokens: Int
    }

    public init(model: TrainableModel, optimizer: AdamW, examples: [SFTExample], batchSize: Int, microBatchSize: Int? = nil,
                seed: UInt64 = 0, options: ForwardOptions = ForwardOptions()) {
        precondition(batchSize > 0 && !examples.isEmpty)
        self.model = model
        self.optimizer = optimizer
        self.examples = examples
        self.batchSize = batchSize
        self.microBatchSize = min(batchSize, microBatchSize ?? batchSize)
        self.seed = seed
        self.options = options
        rng = SplitMix64(seed: seed ^ 0xD1CE)
    }

    private lazy var order = DataOrder(count: examples.count, seed: seed)

    private func example(at position: Int) -> SFTExample { examples[order.index(at: position)] }

    /// Restores the position and generator from a checkpoint.
    public func resume(_ state: CheckpointState) {
        dataPosition = state.dataPosition
        rng = state.rng
    }

    /// One optimizer step over the next `batchSize` examples.
    @discardableResult
    public func step() throws -> StepReport {
        let batch = (0..<batchSize).map { example(at: dataPosition + $0) }
        dataPosition += batchSize
        let scored = batch.reduce(0) { $0 + $1.completion.count }
        model.zeroGradients()
        var nll = 0.0
        for start in stride(from: 0, to: batch.count, by: microBatchSize) {
            let micro = batch[start..<min(batch.count, start + microBatchSize)]
            let tape = try model.forward(micro.map { $0.prompt + $0.completion }, options: options, rng: &rng)
            var g = [Float](repeating: 0, count: tape.logProbs.count)
            for (s, ex) in micro.enumerated() {
                // Row p predicts token p + 1; completion tokens are p + 1 ≥ prompt.count.
                for p in (ex.prompt.count - 1)..<(ex.prompt.count + ex.completion.count - 1) {
                    let r = tape.ranges[s].lowerBound + p
                    g[r] = -1 / Float(scored)
                    nll -= Double(tape.logProbs[r])
                }
            }
            model.backward(tape, logProbGradients: g)
        }
        let report = optimizer.update(model.parameters, gradients: model.gradients)
        return StepReport(loss: nll / Double(scored), gradientNorm: report.gradientNorm, learningRate: report.learningRate, tokens: scored)
    }

    /// Saves a checkpoint of the current state (with optimizer moments).
    @discardableResult
    public func saveCheckpoint(to root: String) throws -> String {
        try Checkpoint.save(to: root, model: model, optimizer: optimizer, step: optimizer.step, dataPosition: dataPosition, rng: rng)
    }
}
