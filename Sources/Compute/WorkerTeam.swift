import Foundation
import Synchronization

/// Persistent helper threads for `Parallel.forEach`. A decode step makes about 150 parallel
/// calls of well under a millisecond each; handing each to `DispatchQueue.concurrentPerform`
/// costs a thread wake-up per call. The helpers instead poll for a short while after each job,
/// waiting for the next, and only then sleep on a semaphore.
///
/// One caller at a time: a call that finds the team busy (another thread's job, or a nested call
/// from inside a job) gets `false` back and runs nothing.
final class WorkerTeam: @unchecked Sendable {
    /// A helper thread's wake-up: `sleeping` is set before it blocks on `wake`.
    private final class Helper: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        let sleeping = Atomic<Bool>(false)
    }

    /// Number of helper threads; a job runs chunk 0 on the caller and chunk i on helper i − 1.
    let helperCount: Int
    private let helpers: [Helper]
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The current job; written before `generation` moves on, read after it has.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    /// Polls before a helper sleeps: tens of microseconds, longer than the serial work between two
    /// matrix products of a decode step, much shorter than a step.
    private static let spinLimit = 50_000

    init(helpers: Int) {
        helperCount = helpers
        self.helpers = (0..<helpers).map { _ in Helper() }
        for (i, helper) in self.helpers.enumerated() {
            let thread = Thread { [unowned self] in self.serve(helper, chunk: i + 1) }
            thread.name = "specgrpo-worker-\(i + 1)"
            thread.start()
        }
    }

    /// Runs `body(chunk)` for chunk in 0...helperCount, chunk 0 on the calling thread, and
    /// returns when all have finished; returns `false` at once, running nothing, if busy.
    func run(_ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            pending.store(helperCount, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            for helper in helpers where helper.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                helper.wake.signal()
            }
            body(0)
            while pending.load(ordering: .acquiring) != 0 {}
            job = nil
        }
        return true
    }

    /// A helper's loop: wait for the next generation (polling, then sleeping), run its chunk.
    ///
    /// No lost wake-up: the helper sets `sleeping` and then re-reads `generation`; the caller
    /// moves `generation` on and then takes `sleeping`. In the single order of these sequentially
    /// consistent operations either the helper sees the new generation or the caller sees
    /// `sleeping` and signals. A signal that arrives after the helper has already seen the new
    /// generation only makes a later wait return early, and the loop checks again.
    private func serve(_ helper: Helper, chunk: Int) {
        // Generation 0 is the team's creation: a job published before this thread started is
        // still new to it.
        var seen = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins < Self.spinLimit {
                    current = generation.load(ordering: .acquiring)
                    continue
                }
                helper.sleeping.store(true, ordering: .sequentiallyConsistent)
                current = generation.load(ordering: .sequentiallyConsistent)
                if current != seen {
                    helper.sleeping.store(false, ordering: .sequentiallyConsistent)
                    break
                }
                helper.wake.wait()
                current = generation.load(ordering: .acquiring)
                spins = 0
            }
            seen = current
            job!(chunk)
            pending.subtract(1, ordering: .releasing)
        }
    }
}
