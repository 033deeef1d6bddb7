import Transformer

/// The analytical KV-memory figure of the original project (seed analysis §2.2), kept beside the
/// measured peak so rewards can use either:
///
///     bytes = (promptTokens + generatedTokens) · 2 (K and V) · layers · kvHeads · headDim · bytesPerElement
///
/// Differences from the original: headDim is the model's own (the original used hidden/heads,
/// equal for Qwen2.5), and bytesPerElement is the engine's KV precision (the original hard-coded
/// bf16 = 2, equal to our default fp16). Like the original it ignores paging granularity, the
/// draft model's cache and prefix sharing; the measured `kvPeakBytes` includes all three.
public enum KVEstimate {
    public static func bytes(tokens: Int, config: ModelConfig, precision: KVCache.Precision) -> Int {
        tokens * 2 * config.layerCount * config.kvHeadCount * config.headDim * precision.bytes
    }
}
