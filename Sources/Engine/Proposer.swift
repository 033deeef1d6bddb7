/// Draft tokens for one sequence, and, from a draft model sampling at temperature > 0, the
/// distribution each was drawn from (nil: a point mass on the token).
struct Proposal {
    var tokens: [Int32] = []
    var distributions: [TokenDistribution]? = nil
}

/// What a proposer needs about one sequence.
struct ProposalRequest {
    let sequence: SequenceState
    let context: [Int32]
    /// Drafts wanted at most (already capped by max tokens and the context window).
    let count: Int
    let params: SamplingParams
    /// The request the sequence belongs to and its prompt length: completions of one request
    /// share the prompt, so a proposer with a KV cache computes it once.
    var group: ObjectIdentifier? = nil
    var promptLength = 0
}

/// Something that drafts tokens for the target to verify, batched over sequences.
protocol Proposer: AnyObject {
    func propose(_ requests: [ProposalRequest]) throws -> [Proposal]
    /// Frees whatever the proposer keeps for a sequence (its draft KV).
    func release(_ sequence: SequenceState)
}
