import Foundation
import Transformer

/// How a teacher-forced forward runs.
public struct ForwardOptions: Sendable {
    /// Logits are divided by it before the log-softmax (the sampling temperature of the rollouts).
    public var temperature: Float = 1
    /// Keep only each block's input and recompute the block's activations during backward
    /// (memory of one block instead of all of them, for one extra forward).
    public var recompute = false
    /// Rows of the LM head per log-softmax chunk.
    public var vocabularyChunk = 4096
    /// Apply LoRA dropout (off for scoring).
    public var training = true
    /// Apply the LoRA adapters; false scores with the frozen base alone (GRPO's reference policy).
    public var adapters = true

    public init(temperature: Float = 1, recompute: Bool = false, vocabularyChunk: Int = 4096, training: Bool = true, adapters: Bool = true) {
        precondition(temperature > 0 && vocabularyChunk > 0)
        self.temperature = temperature
        self.recompute = recompute
        self.vocabularyChunk = vocabularyChunk
        self.training = training
        self.adapters = adapters
    }
}

/// The result of a teacher-forced forward and what its backward needs.
/// Legend: T tokens of the batch, R = T − (number of sequences) scored positions, C hidden.
public final class TrainingTape {
    /// (R) log p(token[p + 1] | tokens[0...p]) for every sequence and position p < length − 1,
    /// sequence after sequence.
    public let logProbs: [Float]
    /// Rows of `logProbs` that belong to each sequence.
    public let ranges: [Range<Int>]
    /// Σ of `logProbs` accumulated in Double.
    public var totalLogProb: Double { logProbs.reduce(0.0) { $0 + Double($1) } }

    let options: ForwardOptions
    let tokens: [Int32]             // (T)
    let seqs: PackedSequences
    let inputs: [FloatBuffer]       // (L + 1) × (T, C): each block's input, then the last block's output
    let saved: [BlockActivations]   // one per block, or none when recomputing
    let rngStates: [SplitMix64]     // the dropout generator before each block, to recompute it
    let normed: FloatBuffer         // (T, C) final RMSNorm output
    let scoredRows: [Int]           // (R) row in T of each scored position
    let targets: [Int32]            // (R)
    let logPartition: [Double]      // (R)

    init(logProbs: [Float], ranges: [Range<Int>], options: ForwardOptions, tokens: [Int32], seqs: PackedSequences,
         inputs: [FloatBuffer], saved: [BlockActivations], rngStates: [SplitMix64], normed: FloatBuffer,
         scoredRows: [Int], targets: [Int32], logPartition: [Double]) {
        self.logProbs = logProbs; self.ranges = ranges; self.options = options; self.tokens = tokens; self.seqs = seqs
        self.inputs = inputs; self.saved = saved; self.rngStates = rngStates; self.normed = normed
        self.scoredRows = scoredRows; self.targets = targets; self.logPartition = logPartition
    }
}

extension TrainableModel {
    /// Teacher-forced forward over whole sequences (prompt + completion), each at positions 0 ..< length.
    /// - Parameters:
    ///   - sequences: token ids; each sequence needs at least one token.
    ///   - rng: draws LoRA dropout masks (advanced only when dropout is active).
    public func forward(_ sequences: [[Int32]], options: ForwardOptions = ForwardOptions(), rng: inout SplitMix64) throws -> TrainingTape {
        let c = config, C = c.hiddenSize, V = c.vocabularySize
        for s in sequences {
            precondition(!s.isEmpty, "every sequence needs at least one token")
            guard s.count <= c.contextLength else { throw ForwardError.contextOverflow(length: s.count, limit: c.contextLength) }
            for t in s where t < 0 || Int(t) >= V { throw ForwardError.tokenOutOfRange(t, vocabularySize: V) }
        }
        let seqs = PackedSequences(lengths: sequences.map(\.count))
        let tokens = sequences.flatMap { $0 }
        let T = tokens.count

        // Embedding lookup: (T, C).
        let x0 = FloatBuffer(count: T * C)
        switch embedding {
        case .trainable(let o):
            for t in 0..<T { (x0.pointer + t * C).update(from: parameters.pointer + o + Int(tokens[t]) * C, count: C) }
        case .frozen(let w):
            for t in 0..<T { w.dequantizeRow(Int(tokens[t]), into: x0.pointer + t * C) }
        }
        var inputs = [x0]
        var saved: [BlockActivations] = []
        var rngStates: [SplitMix64] = []
        let scratch = options.recompute ? BlockActivations(config: c, seqs) : nil
        for l in 0..<c.layerCount {
            rngStates.append(rng)
            let a = scratch ?? BlockActivations(config: c, seqs)
            let out = FloatBuffer(count: T * C)
            blockForward(l, out.pointer, inputs[l].pointer, a, seqs, training: options.training, adapters: options.adapters, rng: &rng)
            if !options.recompute { saved.append(a) }
            inputs.append(out)
        }
        let normed = FloatBuffer(count: T * C)
        RMSNorm.forward(normed.pointer, inputs[c.layerCount].pointer, pointer(finalNorm), rows: T, cols: C, eps: c.rmsNormEps)

        var scoredRows: [Int] = [], targets: [Int32] = [], ranges: [Range<Int>] = []
        for (s, seq) in sequences.enumerated() {
            let start = scoredRows.count
            for p in 0..<(seq.count - 1) {
                scoredRows.append(seqs.starts[s] + p)
                targets.append(seq[p + 1])
            }
            ranges.append(start..<scoredRows.count)
        }
        let R = scoredRows.count
        let h = gatherRows(normed, scoredRows, C)
        var logProbs = [Float](repeating: 0, count: R), logZ = [Double](repeating: 0, count: R)
        TokenLogProbs.forward(&logProbs, &logZ, h.pointer, targets: targets, head: source(lmHead, rows: V, cols: C),
                              temperature: options.temperature, chunk: options.vocabularyChunk)
        return TrainingTape(logProbs: logProbs, ranges: ranges, options: options, tokens: tokens, seqs: seqs,
                            inputs: inputs, saved: saved, rngStates: rngStates, normed: normed,
                            scoredRows: scoredRows, targets: targets, logPartition: logZ)
    }

    /// Backward of a loss L through `tape`: adds dL/d(parameters) into `gradients`.
    /// - Parameter logProbGradients: (R) dL/d(tape.logProbs[r]); e.g. −1/N on the completion
    ///   tokens for mean negative log-likelihood, −advantage/N for a policy gradient.
    public func backward(_ tape: TrainingTape, logProbGradients g: [Float]) {
        precondition(g.count == tape.logProbs.count, "one gradient per log-prob")
        let c = config, C = c.hiddenSize, V = c.vocabularySize, T = tape.tokens.count
        let seqs = tape.seqs

        // LM head and final norm.
        let h = gatherRows(tape.normed, tape.scoredRows, C)
        let dh = FloatBuffer(count: tape.scoredRows.count * C)
        TokenLogProbs.backward(dh.pointer, gradient(lmHead), g, h.pointer, targets: tape.targets, logPartition: tape.logPartition,
                               head: source(lmHead, rows: V, cols: C), temperature: tape.options.temperature,
                               chunk: tape.options.vocabularyChunk)
        let dNormed = FloatBuffer(count: T * C)
        for (r, t) in tape.scoredRows.enumerated() {
            for i in 0..<C { dNormed[t * C + i] += dh[r * C + i] }
        }
        var dx = FloatBuffer(count: T * C)
        RMSNorm.backward(dx.pointer, gradient(finalNorm), dNormed.pointer, tape.inputs[c.layerCount].pointer,
                         pointer(finalNorm), rows: T, cols: C, eps: c.rmsNormEps)

        // Blocks, last to first.
        let scratch = tape.options.recompute ? BlockActivations(config: c, seqs) : nil
        let out = FloatBuffer(count: scratch == nil ? 0 : T * C)
        for l in stride(from: c.layerCount - 1, through: 0, by: -1) {
            let a: BlockActivations
            if let scratch {
                var rng = tape.rngStates[l]
                blockForward(l, out.pointer, tape.inputs[l].pointer, scratch, seqs, training: tape.options.training,
                             adapters: tape.options.adapters, rng: &rng)
                a = scratch
            } else {
                a = tape.saved[l]
            }
            let dIn = FloatBuffer(count: T * C)
            blockBackward(l, dIn.pointer, dx.pointer, tape.inputs[l].pointer, a, seqs)
            dx = dIn
        }

        // Embedding: dE[token] += dx.
        if let dE = gradient(embedding) {
            for t in 0..<T {
                let row = dE + Int(tape.tokens[t]) * C
                for i in 0..<C { row[i] += dx[t * C + i] }
            }
        }
    }

    /// (rows.count, C) copy of the given rows of x (·, C).
    private func gatherRows(_ x: FloatBuffer, _ rows: [Int], _ C: Int) -> FloatBuffer {
        let out = FloatBuffer(count: rows.count * C)
        for (r, t) in rows.enumerated() { (out.pointer + r * C).update(from: x.pointer + t * C, count: C) }
        return out
    }
}
