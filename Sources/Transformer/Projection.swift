/// The seven projections of a Qwen2/Llama block that can carry a LoRA adapter, named as peft's
/// `target_modules`.
public enum Projection: String, Codable, Sendable, CaseIterable, Comparable {
    case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj"
    case gate = "gate_proj", up = "up_proj", down = "down_proj"

    public static func < (a: Projection, b: Projection) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The Hugging Face module holding the projection.
    public var module: String { self == .gate || self == .up || self == .down ? "mlp" : "self_attn" }
}
