import Foundation
import ModelFormats
import Transformer

/// The JSON sidecar of a checkpoint (`trainer_state.json`).
public struct CheckpointState: Codable, Sendable, Equatable {
    public var format = 1
    public var model: ModelConfig
    public var mode: TrainingMode
    /// Optimizer steps taken.
    public var step: Int
    /// Where the data loader resumes (examples consumed so far).
    public var dataPosition: Int
    /// The trainer's generator (dropout, shuffling) as it is after `step`.
    public var rng: SplitMix64
    /// Present when the optimizer state was saved.
    public var optimizer: AdamWConfig?
    /// FNV-1a 64 of each saved tensor's bytes, by "file/tensor".
    public var checksums: [String: String]
}

/// Checkpoints: trainable tensors as safetensors (Hugging Face names for full weights, peft names
/// for LoRA adapters), AdamW moments in a second file, and a JSON sidecar.
///
/// Atomicity: a checkpoint is written into `<root>/step-NNNNNN.partial/` (each file through
/// `SafeTensorsWriter`'s temporary file + fsync + rename), the folder is renamed to
/// `step-NNNNNN`, and only then is `<root>/latest` replaced (temporary file, fsync, rename).
/// A process killed at any point leaves `latest` naming the previous complete checkpoint.
public enum Checkpoint {
    static let stateFile = "trainer_state.json"
    static let optimizerFile = "optimizer.safetensors"

    static func weightsFile(_ mode: TrainingMode) -> String {
        if case .lora = mode { return "adapter_model.safetensors" }
        return "model.safetensors"
    }

    /// Writes a checkpoint under `root` and returns its folder.
    @discardableResult
    public static func save(to root: String, model: TrainableModel, optimizer: AdamW?, step: Int, dataPosition: Int,
                            rng: SplitMix64) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let name = String(format: "step-%06d", step)
        let final = root + "/" + name, partial = final + ".partial"
        try? fm.removeItem(atPath: partial)
        try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)

        var checksums: [String: String] = [:]
        func write(_ file: String, _ buffer: FloatBuffer, suffix: String) throws {
            var w = SafeTensorsWriter()
            for e in model.layout.entries {
                let values = UnsafeBufferPointer(start: buffer.pointer + e.offset, count: e.count)
                w.add(e.name + suffix, shape: e.shape, values: values)
                checksums["\(file)/\(e.name + suffix)"] = fnv1a(UnsafeRawBufferPointer(values))
            }
            try w.write(to: partial + "/" + file)
        }
        try write(weightsFile(model.mode), model.parameters, suffix: "")
        if let optimizer {
            precondition(optimizer.layout == model.layout)
            var w = SafeTensorsWriter()
            for (buffer, suffix) in [(optimizer.m, ".exp_avg"), (optimizer.v, ".exp_avg_sq")] {
                for e in model.layout.entries {
                    let values = UnsafeBufferPointer(start: buffer.pointer + e.offset, count: e.count)
                    w.add(e.name + suffix, shape: e.shape, values: values)
                    checksums["\(optimizerFile)/\(e.name + suffix)"] = fnv1a(UnsafeRawBufferPointer(values))
                }
            }
            try w.write(to: partial + "/" + optimizerFile)
        }
        let state = CheckpointState(model: model.config, mode: model.mode, step: step, dataPosition: dataPosition, rng: rng,
                                    optimizer: optimizer?.config, checksums: checksums)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try durableWrite(try encoder.encode(state), to: partial + "/" + stateFile)

        try? fm.removeItem(atPath: final)
        guard rename(partial, final) == 0 else { throw CheckpointError(.missing, path: final, "could not rename the finished checkpoint into place (errno \(errno))") }
        syncDirectory(root)
        try durableWrite(Data((name + "\n").utf8), to: root + "/latest")
        return final
    }

    /// Reads a checkpoint into `model` (and `optimizer` when given and saved) and returns its state.
    /// - Parameter path: a checkpoint folder, or a root whose `latest` file names one.
    /// - Throws: `CheckpointError` when files are missing, a tensor's bytes do not match their
    ///   checksum, or the checkpoint was made for another model configuration or training mode.
    public static func load(from path: String, into model: TrainableModel, optimizer: AdamW? = nil) throws -> CheckpointState {
        let (dir, state) = try sidecar(path)
        if let field = firstDifference(state.model, model.config) {
            throw CheckpointError(.configMismatch, path: dir, "model config differs in '\(field.name)': checkpoint has \(field.saved), the model has \(field.current)")
        }
        guard state.mode == model.mode else {
            throw CheckpointError(.configMismatch, path: dir, "training mode differs: checkpoint has \(state.mode), the trainer has \(model.mode)")
        }
        func read(_ file: String, suffix: String, into buffer: FloatBuffer) throws {
            let filePath = dir + "/" + file
            let f: SafeTensorsFile
            do { f = try SafeTensorsFile(path: filePath) } catch {
                throw CheckpointError(.corrupted, path: filePath, "unreadable: \(error)")
            }
            for e in model.layout.entries {
                let name = e.name + suffix
                guard let info = f.tensorInfo(name) else { throw CheckpointError(.layoutMismatch, path: filePath, "tensor '\(name)' is missing") }
                guard info.shape == e.shape, info.dtype == .f32 else {
                    throw CheckpointError(.layoutMismatch, path: filePath, "tensor '\(name)' is \(info.dtype) \(info.shape), expected F32 \(e.shape)")
                }
                let bytes = try f.data(name).bytes
                guard fnv1a(bytes) == state.checksums["\(file)/\(name)"] else {
                    throw CheckpointError(.corrupted, path: filePath, "tensor '\(name)' does not match its checksum (corrupted)")
                }
                UnsafeMutableRawBufferPointer(start: buffer.pointer + e.offset, count: e.count * 4).copyMemory(from: bytes)
            }
        }
        try read(weightsFile(state.mode), suffix: "", into: model.parameters)
        if let optimizer {
            guard state.optimizer != nil else { throw CheckpointError(.missing, path: dir, "no optimizer state was saved") }
            try read(optimizerFile, suffix: ".exp_avg", into: optimizer.m)
            try read(optimizerFile, suffix: ".exp_avg_sq", into: optimizer.v)
            optimizer.step = state.step
        }
        return state
    }

    /// FNV-1a, 64-bit, as 16 hex digits.
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return String(h, radix: 16)
    }

    private static func firstDifference(_ a: ModelConfig, _ b: ModelConfig) -> (name: String, saved: String, current: String)? {
        for (x, y) in zip(Mirror(reflecting: a).children, Mirror(reflecting: b).children) where "\(x.value)" != "\(y.value)" {
            return (x.label ?? "?", "\(x.value)", "\(y.value)")
        }
        return nil
    }

    /// The folder and sidecar of a checkpoint folder, or of the one a root's `latest` file names.
    public static func sidecar(_ path: String) throws -> (folder: String, state: CheckpointState) {
        var dir = path
        if let latest = try? String(contentsOfFile: path + "/latest", encoding: .utf8) {
            dir = path + "/" + latest.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let statePath = dir + "/" + stateFile
        guard let data = FileManager.default.contents(atPath: statePath) else {
            throw CheckpointError(.missing, path: dir, "no \(stateFile)")
        }
        do { return (dir, try JSONDecoder().decode(CheckpointState.self, from: data)) } catch {
            throw CheckpointError(.corrupted, path: statePath, "unreadable sidecar: \(error)")
        }
    }

    /// `base` with the trained weights of the checkpoint at `path` (its training mode is read from
    /// the sidecar), ready for `makeInferenceModel()` or more training.
    public static func loadModel(from path: String, base: TransformerModel) throws -> TrainableModel {
        let mode = try sidecar(path).state.mode
        try TrainableModel.checkSupported(base, mode: mode)
        let model = TrainableModel(base, mode: mode)
        _ = try load(from: path, into: model)
        return model
    }

    /// Writes through a temporary file, fsync and rename, so readers see the old or the new bytes.
    static func durableWrite(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw CheckpointError(.missing, path: path, "cannot create \(tmp)")
        }
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, path) == 0 else { throw CheckpointError(.missing, path: path, "rename failed (errno \(errno))") }
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
