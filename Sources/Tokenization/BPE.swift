import Foundation
import ModelFormats

/// Byte-pair encoding of one pre-tokenized word (Sennrich et al. 2016, over bytes as in GPT-2):
/// start from one symbol per byte, then repeatedly merge the adjacent pair whose merge rule comes
/// earliest in the merge list (leftmost first among equal pairs) until no rule applies. Each
/// symbol is a token id, never a `String` or grapheme cluster.
///
/// Candidate pairs sit in a min-heap keyed by (rank, position), so a word of n bytes takes
/// O(n log n) rather than the O(n²) of rescanning after every merge; a long run of spaces or
/// punctuation stays cheap. Results for short words are cached, since natural text repeats them.
final class BytePairEncoder: @unchecked Sendable {
    let vocabulary: Vocabulary
    /// Llama 3's `ignore_merges`: a word that is itself a token is emitted whole.
    let ignoreMerges: Bool
    /// (left id << 32 | right id) → (rank << 32 | merged id).
    private let rules: [UInt64: UInt64]
    /// The token of each single byte.
    private let byteTokens: [Int32]
    private let cache = WordCache()

    /// Words longer than this many bytes are not cached (they are rare and would crowd it).
    static let longestCachedWord = 64

    /// - Parameter merges: merge rules in rank order, as pairs of byte-level token strings.
    /// - Throws: `ModelFileError.invalidTokenizer` naming `path` when a rule names a string that is
    ///   not a token, when its result is not a token, or when some byte has no token.
    init(vocabulary: Vocabulary, merges: [(String, String)], ignoreMerges: Bool, path: String) throws {
        self.vocabulary = vocabulary
        self.ignoreMerges = ignoreMerges

        var byteTokens = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            guard let id = vocabulary.id(forBytes: [UInt8(b)]) else {
                throw ModelFileError(.invalidTokenizer, path: path,
                                     "the vocabulary has no token for byte 0x\(String(b, radix: 16, uppercase: true)) ('\(ByteLevelAlphabet.character[b])'); byte-level BPE needs all 256")
            }
            byteTokens[b] = id
        }
        self.byteTokens = byteTokens

        var rules: [UInt64: UInt64] = [:]
        rules.reserveCapacity(merges.count)
        var joined: [UInt8] = []
        func tokenId(_ s: String, rule: Int) throws -> Int32 {
            if let bytes = ByteLevelAlphabet.bytes(of: s), let id = vocabulary.id(forBytes: bytes) { return id }
            throw ModelFileError(.invalidTokenizer, path: path,
                                 "merge \(rule) ('\(merges[rule].0) \(merges[rule].1)') names '\(s)', which is not in the vocabulary")
        }
        for (rank, (a, b)) in merges.enumerated() {
            let left = try tokenId(a, rule: rank), right = try tokenId(b, rule: rank)
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: vocabulary.bytes(of: left))
            joined.append(contentsOf: vocabulary.bytes(of: right))
            guard let merged = vocabulary.id(forBytes: joined) else {
                throw ModelFileError(.invalidTokenizer, path: path,
                                     "merge \(rank) ('\(a) \(b)') makes '\(a)\(b)', which is not in the vocabulary")
            }
            let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
            // A repeated rule keeps its first (lowest) rank.
            if rules[key] == nil { rules[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged)) }
        }
        self.rules = rules
    }

    /// Appends the tokens of `word` to `out`.
    func encode(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        if word.isEmpty { return }
        if word.count == 1 {
            out.append(byteTokens[Int(word[0])])
            return
        }
        if ignoreMerges, let id = vocabulary.id(forBytes: word), vocabulary.kinds[Int(id)] == .normal {
            out.append(id)
            return
        }
        let cacheable = word.count <= Self.longestCachedWord
        if cacheable, let hit = cache.lookup(word) {
            out.append(contentsOf: hit)
            return
        }
        let tokens = merge(word)
        if cacheable { cache.store(word, tokens) }
        out.append(contentsOf: tokens)
    }

    @inline(__always)
    private func rule(_ left: Int32, _ right: Int32) -> UInt64? {
        rules[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }

    /// The merge loop over a linked list of symbols (one per byte to begin with).
    private func merge(_ word: UnsafeBufferPointer<UInt8>) -> [Int32] {
        let n = word.count
        var ids = word.map { byteTokens[Int($0)] }
        var next = (0..<n).map { Int32($0 + 1) }  // n marks the end
        var prev = (0..<n).map { Int32($0 - 1) }  // -1 marks the start
        // Heap entries: rank << 32 | position of the pair's left symbol, so that ties in rank
        // go to the leftmost pair.
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let r = rule(ids[i], ids[i + 1]) { heap.push(r & 0xFFFF_FFFF_0000_0000 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = top >> 32
            let left = Int(top & 0xFFFF_FFFF)
            let right = Int(next[left])
            // Stale entries: the left symbol was absorbed into its own left neighbour (id -1), or
            // the pair at `left` changed since the entry was pushed. A rank names exactly one pair of ids, so comparing ranks
            // checks both ids at once.
            guard ids[left] >= 0, right < n, let r = rule(ids[left], ids[right]), r >> 32 == rank else { continue }
            ids[left] = Int32(truncatingIfNeeded: r)
            ids[right] = -1
            let after = Int(next[right])
            next[left] = Int32(after)
            if after < n { prev[after] = Int32(left) }
            let before = Int(prev[left])
            if before >= 0, let r = rule(ids[before], ids[left]) {
                heap.push(r & 0xFFFF_FFFF_0000_0000 | UInt64(before))
            }
            if after < n, let r = rule(ids[left], ids[after]) {
                heap.push(r & 0xFFFF_FFFF_0000_0000 | UInt64(left))
            }
        }
        var tokens: [Int32] = []
        var i = 0
        while i < n {
            tokens.append(ids[i])
            i = Int(next[i])
        }
        return tokens
    }
}

/// A binary min-heap of packed keys.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ x: UInt64) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count && items[l] < items[smallest] { smallest = l }
            if r < items.count && items[r] < items[smallest] { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return top
    }
}

/// Tokens of recently seen words. Shared by every copy of a tokenizer and safe to use from
/// several threads; cleared wholesale when full, which is simpler than LRU and costs one
/// re-encoding per word.
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int32]] = [:]
    static let capacity = 1 << 16

    func lookup(_ word: UnsafeBufferPointer<UInt8>) -> [Int32]? {
        let key = Array(word)
        lock.lock()
        defer { lock.unlock() }
        return entries[key]
    }

    func store(_ word: UnsafeBufferPointer<UInt8>, _ tokens: [Int32]) {
        let key = Array(word)
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = tokens
    }
}
