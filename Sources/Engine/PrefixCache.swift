import Transformer

/// Automatic prefix caching over the target's paged KV cache (the scheme of vLLM's
/// docs/design/prefix_caching.md): every full block of a prompt is keyed by a hash of its
/// parent's key and its own token ids, so a key names the whole prefix up to the block's end.
/// The cache holds one reference on each block it knows; a block whose only reference is the
/// cache's is unused and may be evicted, least recently used first.
final class PrefixCache {
    private struct Entry {
        var key: UInt64
        var parent: UInt64
        var tokens: [Int32]
        var lastUse: UInt64
    }

    let cache: KVCache
    private var blockOfKey: [UInt64: Int] = [:]
    private var entries: [Int: Entry] = [:]
    private var clock: UInt64 = 0

    init(cache: KVCache) { self.cache = cache }

    var cachedBlockCount: Int { entries.count }

    /// Cached blocks no sequence uses.
    var evictableCount: Int { entries.keys.reduce(0) { $0 + (cache.referenceCounts[$1] == 1 ? 1 : 0) } }

    /// FNV-1a over the parent key and the token ids. Collisions are harmless: a hit also compares
    /// the stored tokens and parent.
    static func key(parent: UInt64, tokens: ArraySlice<Int32>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ v: UInt64) {
            for i in 0..<8 {
                h ^= (v >> (8 * UInt64(i))) & 0xFF
                h = h &* 0x0000_0100_0000_01B3
            }
        }
        mix(parent)
        for t in tokens { mix(UInt64(UInt32(bitPattern: t))) }
        return h
    }

    /// Blocks holding the longest cached prefix of `tokens`, at most `maxBlocks` of them; marks
    /// them used. The caller adopts them into a sequence.
    func match(_ tokens: [Int32], maxBlocks: Int) -> [Int] {
        let bs = cache.blockSize
        var parent: UInt64 = 0, blocks: [Int] = []
        while blocks.count < maxBlocks && (blocks.count + 1) * bs <= tokens.count {
            let slice = tokens[blocks.count * bs..<(blocks.count + 1) * bs]
            let k = Self.key(parent: parent, tokens: slice)
            guard let b = blockOfKey[k], let e = entries[b], e.parent == parent, e.tokens.elementsEqual(slice) else { break }
            blocks.append(b)
            parent = k
        }
        // Later blocks get older stamps, so a chain is evicted from its tail first.
        clock += UInt64(blocks.count) + 1
        for (i, b) in blocks.enumerated() { entries[b]!.lastUse = clock - UInt64(i) }
        return blocks
    }

    /// Records the full blocks of `tokens` held by `sequence`, which has computed them or will
    /// have computed the first `length` positions by the end of this step's forward pass.
    func register(_ tokens: [Int32], sequence: SequenceKV, length: Int? = nil) {
        let bs = cache.blockSize
        let full = min(tokens.count, length ?? sequence.length) / bs
        var parent: UInt64 = 0
        clock += 1
        for i in 0..<full {
            let k = Self.key(parent: parent, tokens: tokens[i * bs..<(i + 1) * bs])
            let b = sequence.blockTable[i]
            if blockOfKey[k] == nil && entries[b] == nil {
                cache.retain(b)
                blockOfKey[k] = b
                entries[b] = Entry(key: k, parent: parent, tokens: Array(tokens[i * bs..<(i + 1) * bs]), lastUse: clock)
            }
            parent = k
        }
    }

    /// Frees up to `count` unused cached blocks, least recently used first; returns how many.
    @discardableResult
    func evict(_ count: Int) -> Int {
        guard count > 0 else { return 0 }
        let victims = entries.filter { cache.referenceCounts[$0.key] == 1 }
            .sorted { $0.value.lastUse < $1.value.lastUse || ($0.value.lastUse == $1.value.lastUse && $0.key < $1.key) }
            .prefix(count)
        for (b, e) in victims { drop(b, e) }
        return victims.count
    }

    /// Forgets every cached prefix (the weights changed); blocks in use stay with their sequences.
    func invalidateAll() {
        for (b, e) in entries { drop(b, e) }
    }

    private func drop(_ block: Int, _ entry: Entry) {
        blockOfKey[entry.key] = nil
        entries[block] = nil
        cache.release(block)
    }
}
