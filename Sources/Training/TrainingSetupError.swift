import Transformer

/// A model and training mode that cannot go together, refused before anything is allocated.
public struct TrainingSetupError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

extension TrainableModel {
    /// Throws when `mode` cannot train `model`: full fine-tuning keeps fp32 master weights of
    /// every matrix and so needs an F32, F16 or BF16 base; a quantized base trains through LoRA.
    public static func checkSupported(_ model: TransformerModel, mode: TrainingMode) throws {
        guard case .full = mode else { return }
        let w = model.weights
        let matrices = [w.embedding, w.lmHead] + w.layers.flatMap { layer in Projection.allCases.map { layer.matrix($0) } }
        if let quantized = matrices.first(where: { $0.type.isQuantized }) {
            throw TrainingSetupError(description: "full fine-tuning needs an F32, F16 or BF16 base, but the model stores \(quantized.type) matrices; train LoRA adapters over it instead (--lora-rank R)")
        }
    }
}
