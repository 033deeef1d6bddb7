/// One request in the engine: a prompt, its sampling parameters and its `n` completions.
final class RequestState {
    let id: String
    let prompt: String?
    let promptTokens: [Int32]
    let params: SamplingParams
    let sequences: [SequenceState]
    var metrics: RequestMetrics
    var numCachedTokens = 0
    var numPreemptions = 0
    var abortReason: String?
    var kvPeakBlocks = 0
    var kvPeakBytes = 0

    init(id: String, prompt: String?, promptTokens: [Int32], params: SamplingParams, seed: UInt64, now: Double) {
        self.id = id
        self.prompt = prompt
        self.promptTokens = promptTokens
        self.params = params
        sequences = (0..<params.n).map { SequenceState(index: $0, rng: RandomSource(seed: seed, stream: $0)) }
        metrics = RequestMetrics(queuedTime: now)
    }

    var isFinished: Bool { sequences.allSatisfy(\.isFinished) }
    var unfinished: [SequenceState] { sequences.filter { !$0.isFinished } }
    /// True before the first token: the prompt still has to be computed once for all completions.
    var isFresh: Bool { sequences.allSatisfy { $0.output.isEmpty } }

    func context(_ s: SequenceState) -> [Int32] { promptTokens + s.output }
}
