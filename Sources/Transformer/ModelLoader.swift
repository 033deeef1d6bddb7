import Foundation
import ModelFormats

extension TransformerModel {
    /// Loads a model from a GGUF file, or from a Hugging Face directory holding `config.json` and
    /// `*.safetensors` (optionally sharded with `model.safetensors.index.json`).
    public static func load(path: String) throws -> TransformerModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFileError(.unreadable, path: path, "no such file or directory")
        }
        if isDirectory.boolValue {
            let configPath = (path as NSString).appendingPathComponent("config.json")
            let config = try ModelConfig(hf: try HFConfig.load(path: configPath), path: configPath)
            let weights = try ModelWeights(safetensors: try SafeTensorsDirectory(path: path), config: config)
            return TransformerModel(config: config, weights: weights)
        }
        return try TransformerModel(gguf: try GGUFFile(path: path))
    }
}
