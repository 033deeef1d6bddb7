/// Paged key/value storage: fixed-size blocks of `blockSize` token slots, handed out to sequences
/// by a free list and found through each sequence's block table (the layout of vLLM's
/// PagedAttention). Blocks carry reference counts so that several sequences can share the blocks
/// of a common prompt; the engine builds prefix caching on top of this.
///
/// Layout: (L, 2, blocks, blockSize, Hkv·D) — keys then values for each layer — in fp32 or fp16.
public final class KVCache: @unchecked Sendable {
    /// Element type of the stored keys and values. fp16 halves the memory and is what llama.cpp
    /// stores by default; fp32 keeps attention exact for checks against fp32 references.
    public enum Precision: String, Sendable, Codable {
        case f32, f16
        public var bytes: Int { self == .f32 ? 4 : 2 }
    }

    public let precision: Precision
    public let blockSize: Int
    public let blockCount: Int
    public let layerCount: Int
    /// Hkv·D floats per token slot.
    public let kvWidth: Int
    private let storage: UnsafeMutableRawPointer
    private var freeBlocks: [Int]
    public private(set) var referenceCounts: [Int]

    public init(config: ModelConfig, blockSize: Int = 16, capacityTokens: Int, precision: Precision = .f32) {
        precondition(blockSize > 0 && capacityTokens > 0)
        self.precision = precision
        self.blockSize = blockSize
        blockCount = (capacityTokens + blockSize - 1) / blockSize
        layerCount = config.layerCount
        kvWidth = config.kvWidth
        let bytes = layerCount * 2 * blockCount * blockSize * kvWidth * precision.bytes
        storage = .allocate(byteCount: bytes, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        freeBlocks = Array((0..<blockCount).reversed())
        referenceCounts = Array(repeating: 0, count: blockCount)
    }

    deinit { storage.deallocate() }

    public var freeBlockCount: Int { freeBlocks.count }
    /// Bytes of one block across all layers, keys and values.
    public var bytesPerBlock: Int { layerCount * 2 * blockSize * kvWidth * precision.bytes }

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

    /// Key slot of (layer, block, offset): Hkv·D elements of `precision`.
    @inline(__always)
    public func keys(layer: Int, block: Int, offset: Int) -> UnsafeMutableRawPointer {
        storage + (((layer * 2) * blockCount + block) * blockSize + offset) * kvWidth * precision.bytes
    }

    /// Value slot of (layer, block, offset): Hkv·D elements of `precision`.
    @inline(__always)
    public func values(layer: Int, block: Int, offset: Int) -> UnsafeMutableRawPointer {
        storage + (((layer * 2 + 1) * blockCount + block) * blockSize + offset) * kvWidth * precision.bytes
    }

    /// Writes one token's keys and values (Hkv·D floats each), converting to the storage precision.
    func store(layer: Int, block: Int, offset: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        let kd = keys(layer: layer, block: block, offset: offset), vd = values(layer: layer, block: block, offset: offset)
        switch precision {
        case .f32:
            kd.copyMemory(from: k, byteCount: kvWidth * 4)
            vd.copyMemory(from: v, byteCount: kvWidth * 4)
        case .f16:
            let kh = kd.assumingMemoryBound(to: Float16.self), vh = vd.assumingMemoryBound(to: Float16.self)
            for i in 0..<kvWidth {
                kh[i] = Float16(k[i])
                vh[i] = Float16(v[i])
            }
        }
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
    public func fork(from other: SequenceKV) -> Bool { fork(from: other, length: other.length) }

    /// Like `fork(from:)`, but takes only the first `length` positions of `other` (a shared
    /// prompt under tokens `other` has generated since).
    public func fork(from other: SequenceKV, length: Int) -> Bool {
        precondition(blockTable.isEmpty && other.cache === cache && length <= other.length)
        let full = length / cache.blockSize
        let partial = length % cache.blockSize
        if partial > 0 && cache.freeBlockCount == 0 { return false }
        for b in other.blockTable.prefix(full) {
            cache.retain(b)
            blockTable.append(b)
        }
        if partial > 0 {
            let src = other.blockTable[full], dst = cache.allocate()!
            let bytes = partial * cache.kvWidth * cache.precision.bytes
            for layer in 0..<cache.layerCount {
                cache.keys(layer: layer, block: dst, offset: 0).copyMemory(from: cache.keys(layer: layer, block: src, offset: 0), byteCount: bytes)
                cache.values(layer: layer, block: dst, offset: 0).copyMemory(from: cache.values(layer: layer, block: src, offset: 0), byteCount: bytes)
            }
            blockTable.append(dst)
        }
        self.length = length
        return true
    }

    /// Makes this empty sequence start with `blocks`, full blocks whose keys and values are
    /// already computed (prefix-cache hits), taking a reference on each. Its length becomes
    /// `blocks.count · blockSize`; new tokens go to fresh blocks after them.
    public func adopt(_ blocks: [Int]) {
        precondition(blockTable.isEmpty && length == 0, "adopting into a non-empty sequence")
        for b in blocks { cache.retain(b) }
        blockTable = blocks
        length = blocks.count * cache.blockSize
    }

    /// (block, offset) of position `p`.
    @inline(__always)
    func slot(_ p: Int) -> (block: Int, offset: Int) {
        (blockTable[p / cache.blockSize], p % cache.blockSize)
    }
}
