import Foundation
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

    /// A process killed while writing (simulated: a stray `.partial` folder with a truncated
    /// tensor file and a stray temporary `latest`, exactly what a SIGKILL between the steps of
    /// `Checkpoint.save` leaves) does not affect loading the previous checkpoint.
    @Test func interruptedWriteLeavesPreviousCheckpointLoadable() throws {
        let (dir, _) = try TinyModels.write(TinyModels.Shape(), seed: 1)
        let root = temporary()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: root) }
        let t = try trainer(dir, mode: .full)
        try t.step()
        try t.saveCheckpoint(to: root)
        let saved = t.model.parameters.array
        try t.step()
        let partial = root + "/step-000002.partial"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: partial + "/model.safetensors"))
        try Data("step-000002\n".utf8).write(to: URL(fileURLWithPath: root + "/latest.tmp-999"))

        let fresh = try trainer(dir, mode: .full)
        let state = try Checkpoint.load(from: root, into: fresh.model, optimizer: fresh.optimizer)
        #expect(state.step == 1)
        #expect(fresh.model.parameters.array == saved)
        // The next save replaces the stray folder.
        try t.saveCheckpoint(to: root)
        #expect(try Checkpoint.load(from: root, into: fresh.model).step == 2)
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
