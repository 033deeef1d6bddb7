/// Speculative-decoding counts of one completion or one request (the sum over its completions).
/// Counting follows vLLM's spec-decode metrics: a verification step is a target pass that checked
/// at least one drafted token; per-position counts mean "accepted at least up to position i".
public struct SpecDecodeStats: Codable, Sendable, Equatable {
    /// Tokens proposed and sent to the target for verification.
    public var draftedTokens = 0
    /// Drafted tokens the target kept (the recovered or bonus token is not counted).
    public var acceptedTokens = 0
    /// Target passes that verified at least one drafted token.
    public var verificationSteps = 0
    /// [i]: steps in which the draft at position i (0-based) was accepted.
    public var acceptedPerPosition: [Int] = []

    public init() {}

    /// accepted / drafted; nil when nothing was drafted (never a silent 0).
    public var acceptRate: Double? { draftedTokens > 0 ? Double(acceptedTokens) / Double(draftedTokens) : nil }

    /// Tokens emitted per verification step: 1 + accepted / steps; nil without any step.
    public var meanAcceptanceLength: Double? {
        verificationSteps > 0 ? 1 + Double(acceptedTokens) / Double(verificationSteps) : nil
    }

    mutating func record(drafted: Int, accepted: Int) {
        guard drafted > 0 else { return }
        draftedTokens += drafted
        acceptedTokens += accepted
        verificationSteps += 1
        if acceptedPerPosition.count < drafted { acceptedPerPosition += Array(repeating: 0, count: drafted - acceptedPerPosition.count) }
        for i in 0..<accepted { acceptedPerPosition[i] += 1 }
    }

    static func + (a: SpecDecodeStats, b: SpecDecodeStats) -> SpecDecodeStats {
        var s = SpecDecodeStats()
        s.draftedTokens = a.draftedTokens + b.draftedTokens
        s.acceptedTokens = a.acceptedTokens + b.acceptedTokens
        s.verificationSteps = a.verificationSteps + b.verificationSteps
        let n = max(a.acceptedPerPosition.count, b.acceptedPerPosition.count)
        s.acceptedPerPosition = (0..<n).map { i in
            (i < a.acceptedPerPosition.count ? a.acceptedPerPosition[i] : 0) + (i < b.acceptedPerPosition.count ? b.acceptedPerPosition[i] : 0)
        }
        return s
    }
}
