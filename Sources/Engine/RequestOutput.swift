import Foundation

/// Why a completion ended.
public enum FinishReason: String, Codable, Sendable {
    /// A stop token or stop string.
    case stop
    /// `maxTokens`, or the end of the context window.
    case length
    /// The engine gave up on the request (see `RequestStats.abortReason`).
    case abort
}

/// A token with its log-probability.
public struct TokenLogprob: Codable, Sendable, Equatable {
    public var token: Int32
    public var logprob: Double
}

/// Engine-side times of a request, in seconds of a monotonic clock (`EngineClock.now`).
public struct RequestMetrics: Codable, Sendable, Equatable {
    public var queuedTime: Double
    public var firstScheduledTime: Double?
    public var firstTokenTime: Double?
    public var lastTokenTime: Double?
    /// From queued to the last token, in seconds; nil when no token came.
    public var latency: Double? { lastTokenTime.map { $0 - queuedTime } }
}

/// Telemetry of one completion: GRPO scores each completion on its own.
public struct CompletionStats: Codable, Sendable, Equatable {
    public var index: Int
    public var specDecode = SpecDecodeStats()
    /// Target passes after the first token (with or without drafts) that emitted tokens for it.
    public var decodeSteps = 0
    public var firstTokenTime: Double?
    public var lastTokenTime: Double?
    public var generatedTokens = 0
    /// Prompt tokens whose keys and values came from the prefix cache (or, for n > 1, from the
    /// completion that computed the prompt) when it was last admitted.
    public var numCachedTokens = 0
    /// Most KV blocks its block tables (target, plus draft when a draft model runs) held at once,
    /// shared prompt blocks included, and their bytes.
    public var kvPeakBlocks = 0
    public var kvPeakBytes = 0
    /// The original project's analytical estimate, see `KVEstimate`.
    public var kvEstimateBytes = 0
}

/// Telemetry of one request: counts summed over its completions, times over the whole request,
/// KV peak over the distinct blocks all its completions held at once.
public struct RequestStats: Codable, Sendable, Equatable {
    public var requestId: String
    public var specDecode = SpecDecodeStats()
    public var completions: [CompletionStats] = []
    public var metrics: RequestMetrics
    public var promptTokens = 0
    public var generatedTokens = 0
    public var numCachedTokens = 0
    public var kvPeakBlocks = 0
    public var kvPeakBytes = 0
    public var kvEstimateBytes = 0
    /// Times the request was preempted (its KV freed) and later recomputed.
    public var numPreemptions = 0
    /// Set when the request was aborted: why.
    public var abortReason: String?
    public var aborted: Bool { abortReason != nil }
}

/// One completion of a prompt.
public struct CompletionOutput: Sendable, Equatable {
    public var index: Int
    /// Detokenized output (special tokens skipped); empty without a tokenizer.
    public var text: String
    public var tokenIds: [Int32]
    /// Log-probability of each generated token under the distribution it was drawn from: the
    /// target's distribution after temperature, top-k and top-p (with speculation too, since an
    /// accepted, recovered or bonus token is distributed exactly as that); for greedy decoding, the
    /// model's unmodified log-softmax (a point mass would say 0 for every token).
    public var logprobs: [Double]
    /// With `SamplingParams.logprobs` > 0: the most likely tokens at each position (unmodified).
    public var topLogprobs: [[TokenLogprob]]
    public var finishReason: FinishReason
    /// The stop string or stop token that ended it, if any.
    public var stopReason: String?
    public var stats: CompletionStats
}

/// The result of one prompt, as vLLM's `RequestOutput`.
public struct RequestOutput: Sendable, Equatable {
    public var requestId: String
    public var prompt: String?
    public var promptTokenIds: [Int32]
    public var outputs: [CompletionOutput]
    public var stats: RequestStats

    public var metrics: RequestMetrics { stats.metrics }
    public var numCachedTokens: Int { stats.numCachedTokens }
    public var specDecode: SpecDecodeStats { stats.specDecode }
}

/// The monotonic clock behind every engine time.
public enum EngineClock {
    public static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
