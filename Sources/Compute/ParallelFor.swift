import Dispatch
import Synchronization

/// Coarse, deterministic data parallelism: `count` items are cut into contiguous pieces, a few
/// per worker, and the workers take pieces in turn until none are left (so a worker slowed down
/// by something else takes fewer). Every item is processed by exactly one call of `body`, so as
/// long as `body` writes only to its own items the result does not depend on the number of
/// workers or on who took which piece.
public enum Parallel {
    /// Number of worker threads; defaults to the machine's active processor count.
    /// Set once at start-up (for example from a `--threads` flag), before the first parallel call.
    nonisolated(unsafe) public static var workers = ProcessInfoShim.activeProcessorCount

    /// The persistent helpers, made at the first parallel call with `workers − 1` threads.
    static let team = WorkerTeam(helpers: max(0, workers - 1))

    /// Pieces per worker: enough to even out the workers' finishing times, few enough that each
    /// piece still amortises its set-up.
    static let piecesPerWorker = 4

    /// The next piece to take, shared by the workers of one call.
    private final class NextPiece: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Runs `body` over `0..<count` split into contiguous ranges of at least `minChunk` items
    /// (unless there are fewer), on the calling thread and the helpers.
    /// Falls back to a direct call when the work is too small to be worth a thread hop. The
    /// persistent team runs it when free; otherwise (another thread's job, a nested call)
    /// `DispatchQueue.concurrentPerform` does.
    public static func forEach(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        precondition(count >= 0 && minChunk >= 1)
        let pieces = max(1, min(workers * piecesPerWorker, count / minChunk))
        if pieces == 1 || workers == 1 {
            body(0..<count)
            return
        }
        let next = NextPiece()
        func run(_: Int) {
            while true {
                let piece = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                guard piece < pieces else { return }
                body(count * piece / pieces..<count * (piece + 1) / pieces)
            }
        }
        if workers <= team.helperCount + 1 && team.run(run) { return }
        DispatchQueue.concurrentPerform(iterations: workers, execute: run)
    }
}

/// Processor count without importing Foundation into the kernel module.
public enum ProcessInfoShim {
    public static var activeProcessorCount: Int {
        let n = sysconfWrapper()
        return n > 0 ? n : 1
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func sysconfWrapper() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
import Darwin
@usableFromInline func sysconfWrapper() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#endif
