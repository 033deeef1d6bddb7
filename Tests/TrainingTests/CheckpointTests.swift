import Foundation
import TestSupport
import Testing
import Training
import Transformer

struct CheckpointTests {
    static let examples = [
        SFTExample(prompt: [1, 2, 3], completion: [4, 5]), SFTExample(prompt: [6, 7], completion: [8, 9, 10]),
        SFTExample(prompt: [3], completion: [2, 1]), SFTExample(prompt: [0, 10, 9, 8], completion: [7]),
    ]

    func trainer(_ dir: String, mode: TrainingMode) throws -> SFTTrainer {
        let model = TrainableModel(try TransformerModel.load(path: dir), mode: mode, seed: 11)
        let opt = AdamW(layout: model.layout, config: AdamWConfig(learningRate: 0.01, weightDecay: 0.1,
                                                                  schedule: .warmupCosine(warmupSteps: 2, totalSteps: 10, minRatio: 0)))
        return SFTTrainer(model: model, optimizer: opt, examples: Self.examples, batchSize: 3, microBatchSize: 2, seed: 5)
    }

    func temporary() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path }

    /// Three steps straight through against two steps, a checkpoint, a fresh process state loaded
    /// from it, and the third step: parameters equal bit for bit (full and LoRA with dropout).
    @Test(arguments: [TrainingMode.full, .lora(LoRAConfig(rank: 2, dropout: 0.2, targets: [.q, .v, .up]))])
    func resumeIsBitIdentical(_ mode: TrainingMode) throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 1)
        let root = temporary()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: root) }
        let straight = try trainer(dir, mode: mode)
        for _ in 0..<3 { try straight.step() }

        let first = try trainer(dir, mode: mode)
        for _ in 0..<2 { try first.step() }
        try first.saveCheckpoint(to: root)

        let resumed = try trainer(dir, mode: mode)
        let state = try Checkpoint.load(from: root, into: resumed.model, optimizer: resumed.optimizer)
        resumed.resume(state)
        #expect(state.step == 2 && state.dataPosition == 6)
        try resumed.step()
        #expect(resumed.model.parameters.array.map(\.bitPattern) == straight.model.parameters.array.map(\.bitPattern))
        #expect(resumed.optimizer.m.array.map(\.bitPattern) == straight.optimizer.m.array.map(\.bitPattern))
    }

    /// Acceptance 6 with a real SIGKILL: `specgrpo sft --save-every 1` runs in a child process and
    /// is killed `kills` times, at moments swept across its save cycle (a training step, then a
    /// checkpoint write): kill i lands i/kills of a measured cycle after a save. After each kill
    /// `latest` must load (every tensor checked against its checksum) at a step no earlier than
    /// before, and so must the newest complete `step-*` folder. Each child resumes from what the
    /// one before left, stray `.partial` folders and temporary files included. How many kills
    /// found a write in progress varies from run to run and is printed, not asserted.
    @Test(.enabled(if: SpecGRPOExecutable.path != nil, SpecGRPOExecutable.skipMessage), .timeLimit(.minutes(1)))
    func sigkillDuringCheckpointWriteLeavesLatestLoadable() throws {
        let kills = 20
        let fm = FileManager.default
        // Large enough that a checkpoint (weights + two moments, about 1.3 MB) takes a while to write.
        let shape = TinyModels.Shape(vocab: 256, hidden: 64, intermediate: 128, layers: 2, heads: 4, kvHeads: 2, headDim: 16)
        let (dir, _) = try TinyModels.write(shape, seed: 1)
        let root = temporary(), work = temporary()
        defer { for p in [dir, root, work] { try? fm.removeItem(atPath: p) } }
        try fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        let data = work + "/pairs.jsonl", log = work + "/stderr.txt"
        try Self.examples.map { "{\"prompt_ids\": \($0.prompt), \"completion_ids\": \($0.completion)}" }.joined(separator: "\n")
            .write(toFile: data, atomically: true, encoding: .utf8)

        let model = TrainableModel(try TransformerModel.load(path: dir), mode: .full)
        let optimizer = AdamW(layout: model.layout, config: AdamWConfig(learningRate: 1e-4))
        func latest() -> String? {
            (try? String(contentsOfFile: root + "/latest", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        /// Waits until `latest` names something other than `old`; false if the child died or 20 s passed.
        func awaitSave(after old: String?, _ child: Process) -> Bool {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if let name = latest(), name != old { return true }
                if !child.isRunning { return false }
                usleep(100)
            }
            return false
        }

        var lastStep = 0, inFolder = 0, beforeLatest = 0, inLatest = 0, landed = 0
        for i in 0..<kills {
            _ = fm.createFile(atPath: log, contents: nil)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: SpecGRPOExecutable.path!)
            child.arguments = ["sft", "--model", dir, "--data", data, "--full", "--steps", "1000000", "--batch-size", "2",
                               "--save-every", "1", "--out", root, "--threads", "1", "--seed", "3"]
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle(forWritingAtPath: log)
            try child.run()
            // Two saves of this child: the first proves it resumed and runs, the second times a cycle.
            let first = latest()
            var ok = awaitSave(after: first, child)
            let second = latest(), t0 = Date()
            ok = ok && awaitSave(after: second, child)
            guard ok else {
                if child.isRunning { kill(child.processIdentifier, SIGKILL) }
                child.waitUntilExit()
                Issue.record("kill \(i): specgrpo sft did not save twice: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                return
            }
            let cycle = Date().timeIntervalSince(t0)
            usleep(UInt32(cycle * Double(i) / Double(kills) * 1e6))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

            // What the kill interrupted.
            let name = try #require(latest())
            let step = try #require(Int(name.dropFirst("step-".count)))
            let entries = try fm.contentsOfDirectory(atPath: root)
            let complete = entries.filter { $0.hasPrefix("step-") && !$0.hasSuffix(".partial") }.sorted()
            // Stray folders of earlier children were replaced when their step was saved again.
            let a = entries.contains(String(format: "step-%06d.partial", step + 1))
            let b = complete.last.map { $0 > name } ?? false
            let c = entries.contains("latest.tmp-\(child.processIdentifier)")
            inFolder += a ? 1 : 0; beforeLatest += b ? 1 : 0; inLatest += c ? 1 : 0; landed += a || b || c ? 1 : 0

            let state = try Checkpoint.load(from: root, into: model, optimizer: optimizer)
            #expect(state.step == step && state.step >= lastStep)
            lastStep = state.step
            let newest = try #require(complete.last)
            #expect(try Checkpoint.load(from: root + "/" + newest, into: model, optimizer: optimizer).step == Int(newest.dropFirst("step-".count)))
        }
        // Every child resumed where the one before it stopped and saved at least twice.
        #expect(lastStep >= 2 * kills)
        print("SIGKILL test: \(kills) kills, \(landed) during a checkpoint write (\(inFolder) with a .partial folder, "
              + "\(beforeLatest) after the folder rename and before latest, \(inLatest) while replacing latest); reached step \(lastStep)")
    }

    @Test func corruptedTensorIsRefused() throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 1)
        let root = temporary()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: root) }
        let t = try trainer(dir, mode: .full)
        let folder = try t.saveCheckpoint(to: root)
        let file = folder + "/model.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 3] ^= 0x40   // a bit of the last tensor's data
        try bytes.write(to: URL(fileURLWithPath: file))
        #expect {
            try Checkpoint.load(from: root, into: try trainer(dir, mode: .full).model)
        } throws: { error in
            let e = error as? CheckpointError
            return e?.kind == .corrupted && e!.description.contains("checksum")
        }
    }

    @Test func mismatchedConfigIsRefused() throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 1)
        var other = TinyModels.Shape()
        other.intermediate = 16
        let (otherDir, _) = try TinyModels.write(other, seed: 1)
        let root = temporary()
        defer { for p in [dir, otherDir, root] { try? FileManager.default.removeItem(atPath: p) } }
        try trainer(dir, mode: .full).saveCheckpoint(to: root)
        #expect {
            try Checkpoint.load(from: root, into: try trainer(otherDir, mode: .full).model)
        } throws: { error in
            let e = error as? CheckpointError
            return e?.kind == .configMismatch && e!.description.contains("intermediateSize")
        }
        #expect(throws: CheckpointError.self) {
            try Checkpoint.load(from: root, into: try trainer(dir, mode: .lora(LoRAConfig(rank: 2))).model)
        }
    }
}
