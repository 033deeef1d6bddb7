import Transformer

/// One completion in flight: its tokens, its KV (target and draft), its random stream and its
/// telemetry. The last generated token is "pending": sampled but not yet run through the target.
final class SequenceState {
    let index: Int
    var output: [Int32] = []
    var logprobs: [Double] = []
    var topLogprobs: [[TokenLogprob]] = []
    var kv: SequenceKV?
    var draftKV: SequenceKV?
    var rng: RandomSource
    var finishReason: FinishReason?
    var stopReason: String?
    /// Length of the text to keep when a stop string ended the completion.
    var truncatedText: String?
    var stats: CompletionStats

    init(index: Int, rng: RandomSource) {
        self.index = index
        self.rng = rng
        stats = CompletionStats(index: index)
    }

    var isFinished: Bool { finishReason != nil }

    /// Releases the KV blocks (finished, aborted or preempted).
    func freeKV() {
        kv?.truncate(to: 0)
        kv = nil
        draftKV?.truncate(to: 0)
        draftKV = nil
    }
}
