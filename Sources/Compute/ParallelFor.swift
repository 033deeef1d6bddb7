import Dispatch

/// Coarse, deterministic data parallelism: `count` items are cut into at most `workers`
/// contiguous chunks and each chunk runs `body(range)` on its own thread. Every item is processed
/// by exactly one worker, so as long as `body` writes only to its own items the result does not
/// depend on the number of workers.
public enum Parallel {
    /// Number of worker threads; defaults to the machine's active processor count.
    /// Set once at start-up (for example from a `--threads` flag), before the first parallel call.
    nonisolated(unsafe) public static var workers = ProcessInfoShim.activeProcessorCount

    /// The persistent helpers, made at the first parallel call with `workers − 1` threads.
    static let team = WorkerTeam(helpers: max(0, workers - 1))

    /// Runs `body` over `0..<count` split into contiguous ranges, one per worker.
    /// Falls back to a direct call when the work is too small to be worth a thread hop. The
    /// persistent team runs it when free and big enough; otherwise (another thread's job, a
    /// nested call, more workers than helpers) `DispatchQueue.concurrentPerform` does.
    public static func forEach(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        precondition(count >= 0 && minChunk >= 1)
        let chunks = max(1, min(workers, count / minChunk))
        if chunks == 1 {
            body(0..<count)
            return
        }
        func run(_ chunk: Int) {
            guard chunk < chunks else { return }
            body(count * chunk / chunks..<count * (chunk + 1) / chunks)
        }
        if chunks <= team.helperCount + 1 && team.run(run) { return }
        DispatchQueue.concurrentPerform(iterations: chunks, execute: run)
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
