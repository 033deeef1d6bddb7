import Compute
import Foundation

/// One greedy generation: the chosen tokens, optionally the top log-probabilities at each step,
/// and why it stopped.
public struct GreedyGeneration: Sendable {
    public enum FinishReason: String, Sendable, Codable { case stop, length }

    public var tokens: [Int32] = []
    /// Per generated position, the `topLogprobs` most likely (token, log-probability) pairs.
    public var topLogprobs: [[(token: Int32, logprob: Double)]] = []
    public var finishReason: FinishReason = .length
    /// Seconds spent on the prompt and on the generated tokens.
    public var prefillSeconds = 0.0
    public var decodeSeconds = 0.0
}

extension TransformerModel {
    /// Greedy decoding of up to `maxTokens` tokens after `prompt`, stopping after any token in
    /// `stopTokens` (which is kept in the output, as the end of the completion).
    /// - Parameters:
    ///   - sequence: an empty sequence whose cache can hold prompt + maxTokens positions.
    ///   - onToken: called with each new token as soon as it is chosen.
    public func generateGreedy(prompt: [Int32], maxTokens: Int, stopTokens: Set<Int32>, sequence: SequenceKV,
                               topLogprobs: Int = 0, onToken: (Int32) -> Void = { _ in }) throws -> GreedyGeneration {
        precondition(sequence.length == 0 && !prompt.isEmpty && maxTokens >= 0)
        var result = GreedyGeneration()
        preparePanels()
        let start = Date()
        var logits = try forward([ForwardItem(tokens: prompt, sequence: sequence)])
        result.prefillSeconds = Date().timeIntervalSince(start)
        let decodeStart = Date()
        for step in 0..<maxTokens {
            let row = logits.last(of: 0)
            let token = LogSoftmax.argmax(row)
            if topLogprobs > 0 { result.topLogprobs.append(LogSoftmax.top(row, count: topLogprobs)) }
            result.tokens.append(token)
            onToken(token)
            if stopTokens.contains(token) {
                result.finishReason = .stop
                break
            }
            if step + 1 < maxTokens { logits = try forward([ForwardItem(tokens: [token], sequence: sequence)]) }
        }
        result.decodeSeconds = Date().timeIntervalSince(decodeStart)
        return result
    }
}

/// Log-probabilities from a logits row, in Double.
public enum LogSoftmax {
    /// Index of the largest logit (the first one on ties): a vectorised maximum, then the first
    /// index holding it. With NaN logits, the first index that no later logit exceeds by `>`.
    public static func argmax(_ row: ArraySlice<Float>) -> Int32 {
        row.withUnsafeBufferPointer { b in
            guard let x = b.baseAddress, b.count > 0 else { return 0 }
            let m = Vector.max(x, b.count)
            var best = 0
            if m.isNaN {
                for i in 1..<b.count where x[i] > x[best] { best = i }
            } else {
                while x[best] != m { best += 1 }
            }
            return Int32(best)
        }
    }

    /// log Σ exp(row).
    public static func logPartition(_ row: ArraySlice<Float>) -> Double {
        row.withUnsafeBufferPointer { b in
            guard let x = b.baseAddress, b.count > 0 else { return -.infinity }
            let m = Vector.max(x, b.count)
            let shift = m.isNaN ? row.max()! : m
            return Double(shift) + Foundation.log(Vector.sumExp(x, b.count, shift: shift))
        }
    }

    /// The greedy choice of a row: `argmax` and that token's log-probability.
    public static func greedy(_ row: ArraySlice<Float>) -> (token: Int32, logprob: Double) {
        let t = argmax(row)
        return (t, Double(row[row.startIndex + Int(t)]) - logPartition(row))
    }

    /// The `count` most likely tokens with their log-probabilities, most likely first.
    public static func top(_ row: ArraySlice<Float>, count: Int) -> [(token: Int32, logprob: Double)] {
        let logZ = logPartition(row)
        let order = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
        return order.prefix(count).map { (Int32($0 - row.startIndex), Double(row[$0]) - logZ) }
    }
}
