import Transformer

/// Limits and resources of one engine.
public struct EngineConfig: Sendable, Equatable {
    /// Sequences (completions) decoded together in one step at most.
    public var maxNumSeqs = 16
    /// Tokens run through the target in one step at most (prompts and verified positions); a single
    /// prompt longer than this still runs when it is alone, so no request waits forever.
    public var maxNumBatchedTokens = 2048
    /// Token slots of the target's KV cache (and of the draft's).
    public var kvCapacityTokens = 16384
    public var blockSize = 16
    public var kvPrecision = KVCache.Precision.f16
    public var enablePrefixCaching = true
    /// Seeds the generator that picks seeds for requests that bring none.
    public var seed: UInt64 = 0

    public init(maxNumSeqs: Int = 16, maxNumBatchedTokens: Int = 2048, kvCapacityTokens: Int = 16384, blockSize: Int = 16,
                kvPrecision: KVCache.Precision = .f16, enablePrefixCaching: Bool = true, seed: UInt64 = 0) {
        self.maxNumSeqs = maxNumSeqs
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.kvCapacityTokens = kvCapacityTokens
        self.blockSize = blockSize
        self.kvPrecision = kvPrecision
        self.enablePrefixCaching = enablePrefixCaching
        self.seed = seed
    }

    public func validate() throws {
        for (name, value) in [("maxNumSeqs", maxNumSeqs), ("maxNumBatchedTokens", maxNumBatchedTokens),
                              ("kvCapacityTokens", kvCapacityTokens), ("blockSize", blockSize)] where value < 1 {
            throw EngineError.invalidParameter(name: name, value: "\(value)", expected: "at least 1")
        }
    }
}
