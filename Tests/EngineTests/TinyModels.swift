import Foundation
import TestSupport
import Transformer

/// The tiny random Qwen2 models of the transformer tests (vocabulary 128, context 256).
enum TinyModels {
    static func load(_ name: String = "tiny-qwen2") throws -> TransformerModel {
        let dir = RealModels.packageRoot.appendingPathComponent("Tests/TransformerTests/Fixtures").appendingPathComponent(name)
        return try TransformerModel.load(path: dir.path)
    }

    /// Chi-square critical value at significance `alpha` = 0.001 for `df` degrees of freedom
    /// (Wilson–Hilferty approximation, z = 3.090).
    static func chiSquareCritical(df: Int) -> Double {
        let d = Double(df), z = 3.090
        let t = 1 - 2 / (9 * d) + z * (2 / (9 * d)).squareRoot()
        return d * t * t * t
    }
}
