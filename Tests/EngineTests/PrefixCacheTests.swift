import Testing
@testable import Engine
@testable import Transformer

struct PrefixCacheTests {
    func cache(blocks: Int) throws -> KVCache {
        let model = try TinyModels.load()
        return model.makeCache(capacityTokens: blocks * 4, blockSize: 4)
    }

    /// A sequence holding `tokens` (keys and values are not computed: only the bookkeeping matters).
    func filled(_ cache: KVCache, _ tokens: [Int32]) -> SequenceKV {
        let s = SequenceKV(cache: cache)
        #expect(s.reserve(upTo: tokens.count))
        s.length = tokens.count
        return s
    }

    @Test func matchesFullBlocksOfSharedPrefixOnly() throws {
        let kv = try cache(blocks: 16)
        let pc = PrefixCache(cache: kv)
        let a: [Int32] = Array(0..<10)
        let s = filled(kv, a)
        pc.register(a, sequence: s)
        #expect(pc.cachedBlockCount == 2)  // 10 tokens = 2 full blocks + 2
        #expect(pc.match(a, maxBlocks: 9) == Array(s.blockTable.prefix(2)))
        #expect(pc.match([0, 1, 2, 3, 4, 5, 6, 99, 8], maxBlocks: 9) == [s.blockTable[0]])
        #expect(pc.match([9, 1, 2, 3, 4, 5, 6, 7], maxBlocks: 9) == [])
        #expect(pc.match(a, maxBlocks: 1) == [s.blockTable[0]])
        let t = SequenceKV(cache: kv)
        t.adopt(pc.match(a, maxBlocks: 9))
        #expect(t.length == 8 && kv.referenceCounts[s.blockTable[0]] == 3)
    }

    @Test func evictsOnlyUnusedBlocksLeastRecentlyUsedFirst() throws {
        let kv = try cache(blocks: 16)
        let pc = PrefixCache(cache: kv)
        let a: [Int32] = Array(0..<8), b: [Int32] = Array(100..<108)
        var sa: SequenceKV? = filled(kv, a)
        let sb = filled(kv, b)
        pc.register(a, sequence: sa!)
        pc.register(b, sequence: sb)
        #expect(pc.evictableCount == 0)
        let blocksA = sa!.blockTable
        sa = nil  // only the cache holds a's blocks now
        #expect(pc.evictableCount == 2)
        let free = kv.freeBlockCount
        _ = pc.match(a, maxBlocks: 2)
        #expect(pc.evict(1) == 1)
        #expect(kv.freeBlockCount == free + 1)
        // The chain's tail goes first, so the head still matches.
        #expect(pc.match(a, maxBlocks: 2) == [blocksA[0]])
        #expect(pc.evict(5) == 1)
        #expect(pc.match(b, maxBlocks: 2) == sb.blockTable)
    }

    @Test func invalidateAllForgetsEverythingButKeepsUsedBlocks() throws {
        let kv = try cache(blocks: 8)
        let pc = PrefixCache(cache: kv)
        let a: [Int32] = Array(0..<8)
        let s = filled(kv, a)
        pc.register(a, sequence: s)
        pc.invalidateAll()
        #expect(pc.cachedBlockCount == 0 && pc.match(a, maxBlocks: 2) == [])
        #expect(s.blockTable.allSatisfy { kv.referenceCounts[$0] == 1 })
        s.truncate(to: 0)
        #expect(kv.freeBlockCount == 8)
    }
}
