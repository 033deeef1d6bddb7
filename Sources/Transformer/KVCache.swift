/// Paged key/value storage: fixed-size blocks of `blockSize` token slots, handed out to sequences
/// by a free list and found through each sequence's block table (the layout of vLLM's
/// PagedAttention). Blocks carry reference counts so that several sequences can share the blocks
/// of a common prompt; the engine builds prefix caching on top of this.
///
/// Layout: (L, 2, blocks, blockSize, Hkv·D) fp32 — keys then values for each layer.
public final class KVCache: @unchecked Sendable {
    public let blockSize: Int
    public let blockCount: Int
    public let layerCount: Int
    /// Hkv·D floats per token slot.
    public let kvWidth: Int
    private let storage: UnsafeMutablePointer<Float>
    private var freeBlocks: [Int]
    public private(set) var referenceCounts: [Int]

    public init(config: ModelConfig, blockSize: Int = 16, capacityTokens: Int) {
        precondition(blockSize > 0 && capacityTokens > 0)
        self.blockSize = blockSize
        blockCount = (capacityTokens + blockSize - 1) / blockSize
        layerCount = config.layerCount
        kvWidth = config.kvWidth
        let count = layerCount * 2 * blockCount * blockSize * kvWidth
        storage = .allocate(capacity: count)
        storage.initialize(repeating: 0, count: count)
        freeBlocks = Array((0..<blockCount).reversed())
        referenceCounts = Array(repeating: 0, count: blockCount)
    }

    deinit { storage.deallocate() }

    public var freeBlockCount: Int { freeBlocks.count }
    /// Bytes of one block across all layers, keys and values.
    public var bytesPerBlock: Int { layerCount * 2 * blockSize * kvWidth * MemoryLayout<Float>.size }

    /// Takes a free block (reference count 1), or nil when none is left.
    public func allocate() -> Int? {
        guard let b = freeBlocks.popLast() else { return nil }
        assert(referenceCounts[b] == 0)
        referenceCounts[b] = 1
        return b
    }

    /// Adds a reference to a block already in use (sharing a prompt's blocks).
    public func retain(_ block: Int) {
        precondition(referenceCounts[block] > 0, "retaining free block \(block)")
        referenceCounts[block] += 1
    }

    /// Drops a reference; the block returns to the free list when none remain.
    public func release(_ block: Int) {
        precondition(referenceCounts[block] > 0, "releasing free block \(block)")
        referenceCounts[block] -= 1
        if referenceCounts[block] == 0 { freeBlocks.append(block) }
    }

    /// Key slot of (layer, block, offset): Hkv·D floats.
    @inline(__always)
    public func keys(layer: Int, block: Int, offset: Int) -> UnsafeMutablePointer<Float> {
        storage + (((layer * 2) * blockCount + block) * blockSize + offset) * kvWidth
    }

    /// Value slot of (layer, block, offset): Hkv·D floats.
    @inline(__always)
    public func values(layer: Int, block: Int, offset: Int) -> UnsafeMutablePointer<Float> {
        storage + (((layer * 2 + 1) * blockCount + block) * blockSize + offset) * kvWidth
    }
}

/// The cached tokens of one sequence: a block table into a `KVCache` and the number of positions
/// filled. Truncating (speculative rollback) is O(1) in the length; blocks past the new end are
/// released.
public final class SequenceKV: @unchecked Sendable {
    public let cache: KVCache
    public private(set) var blockTable: [Int] = []
    /// Positions 0..<length hold valid keys and values.
    public internal(set) var length = 0

    public init(cache: KVCache) { self.cache = cache }

    deinit { for b in blockTable { cache.release(b) } }

    /// Ensures blocks exist for positions 0..<length; returns false (changing nothing) when the
    /// cache has too few free blocks.
    public func reserve(upTo length: Int) -> Bool {
        let needed = (length + cache.blockSize - 1) / cache.blockSize - blockTable.count
        guard needed > 0 else { return true }
        guard cache.freeBlockCount >= needed else { return false }
        for _ in 0..<needed { blockTable.append(cache.allocate()!) }
        return true
    }

    /// Forgets positions `length...` (rejected draft tokens) and releases blocks no longer used.
    public func truncate(to newLength: Int) {
        precondition(newLength >= 0 && newLength <= length)
        length = newLength
        let keep = (newLength + cache.blockSize - 1) / cache.blockSize
        while blockTable.count > keep { cache.release(blockTable.removeLast()) }
    }

    /// Makes this sequence start with the same blocks as `other` (sharing a prompt): used when
    /// `n` completions branch from one prompt. Only whole blocks are shared; a partial last block is
    /// copied so that the two sequences can append independently.
    public func fork(from other: SequenceKV) -> Bool {
        precondition(blockTable.isEmpty && other.cache === cache)
        let full = other.length / cache.blockSize
        let partial = other.length % cache.blockSize
        if partial > 0 && cache.freeBlockCount == 0 { return false }
        for b in other.blockTable.prefix(full) {
            cache.retain(b)
            blockTable.append(b)
        }
        if partial > 0 {
            let src = other.blockTable[full], dst = cache.allocate()!
            for layer in 0..<cache.layerCount {
                cache.keys(layer: layer, block: dst, offset: 0).update(from: cache.keys(layer: layer, block: src, offset: 0), count: partial * cache.kvWidth)
                cache.values(layer: layer, block: dst, offset: 0).update(from: cache.values(layer: layer, block: src, offset: 0), count: partial * cache.kvWidth)
            }
            blockTable.append(dst)
        }
        length = other.length
        return true
    }

    /// (block, offset) of position `p`.
    @inline(__always)
    func slot(_ p: Int) -> (block: Int, offset: Int) {
        (blockTable[p / cache.blockSize], p % cache.blockSize)
    }
}
