import Foundation

/// The loop around `GRPOTrainer`: a console line per step, the run directory's metrics, periodic
/// checkpoints, and resumption from the latest checkpoint in the run directory.
public enum GRPORun {
    /// The console line of a step: `step N | loss | reward | task | accept | latency | kv | length | time`.
    public static func line(_ r: GRPOStepReport) -> String {
        let m = r.metrics
        let accept = m["accept_rate"].map { String(format: "%.3f", $0) } ?? "n/a"
        return String(format: "step %4d | loss=%.4f | reward=%.3f | task=%.3f | accept=%@ | latency=%.0fms | kv=%.2fMiB | len=%.1f | %.1fs",
                      r.step, m["loss"] ?? 0, m["reward"] ?? 0, m["task_score"] ?? 0, accept, m["latency_ms"] ?? 0,
                      m["kv_mib"] ?? 0, m["completions/mean_length"] ?? 0, m["step_time"] ?? 0)
    }

    /// Runs `trainer` until `trainer.config.steps` optimizer steps are done.
    /// - Parameters:
    ///   - directory: where metrics and checkpoints go; when it holds a checkpoint the run resumes from it.
    ///   - saveEvery: checkpoint every this many steps (and always at the end) when a directory is given.
    /// - Returns: the reports of the steps run by this call.
    @discardableResult
    public static func run(_ trainer: GRPOTrainer, directory: RunDirectory?, saveEvery: Int? = nil,
                           log: (String) -> Void = { print($0) }) throws -> [GRPOStepReport] {
        if let dir = directory, FileManager.default.fileExists(atPath: dir.checkpoints + "/latest") {
            let state = try Checkpoint.load(from: dir.checkpoints, into: trainer.model, optimizer: trainer.optimizer)
            trainer.resume(state)
            log("resumed from \(dir.checkpoints) at step \(state.step)")
        }
        var reports: [GRPOStepReport] = []
        while trainer.optimizer.step < trainer.config.steps {
            let report = try trainer.step()
            reports.append(report)
            log(line(report))
            try directory?.appendMetrics(report.metrics, step: report.step)
            if let dir = directory, let every = saveEvery, report.step % every == 0, report.step < trainer.config.steps {
                try trainer.saveCheckpoint(to: dir.checkpoints)
            }
        }
        if let dir = directory, !reports.isEmpty {
            log("saved \(try trainer.saveCheckpoint(to: dir.checkpoints))")
        }
        return reports
    }
}
