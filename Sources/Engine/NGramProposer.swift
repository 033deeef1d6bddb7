/// Prompt lookup decoding (Saxena, 2023; vLLM's "ngram" and llama.cpp's lookup): find the latest
/// earlier occurrence of the context's last n tokens, n from `maxN` down to `minN`, and propose
/// the tokens that followed it. Free to run, and good wherever the output copies its input.
final class NGramProposer: Proposer {
    let minN: Int, maxN: Int

    init(minN: Int, maxN: Int) {
        self.minN = minN
        self.maxN = maxN
    }

    static func lookup(_ context: [Int32], minN: Int, maxN: Int, count: Int) -> [Int32] {
        guard count > 0 else { return [] }
        let L = context.count
        for n in stride(from: min(maxN, L - 1), through: minN, by: -1) {
            let suffixStart = L - n
            // Latest start s < suffixStart with context[s..<s+n] == suffix.
            var s = suffixStart - 1
            while s >= 0 {
                var match = true
                for i in 0..<n where context[s + i] != context[suffixStart + i] {
                    match = false
                    break
                }
                if match {
                    let from = s + n
                    return Array(context[from..<min(L, from + count)])
                }
                s -= 1
            }
        }
        return []
    }

    func propose(_ requests: [ProposalRequest]) throws -> [Proposal] {
        requests.map { Proposal(tokens: Self.lookup($0.context, minN: minN, maxN: maxN, count: $0.count)) }
    }

    func release(_ sequence: SequenceState) {}
}
