/// A model file (GGUF, safetensors, config.json, tokenizer.json) that cannot be used as it is.
/// Every case names the file and says what was expected and what was found, so that the message
/// alone tells the user which file to fix or fetch again.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        case unreadable, badMagic, unsupportedVersion, truncated, unknownTensorType
        case tensorOutOfBounds, missingMetadata, wrongMetadataType, malformedHeader
        case missingTensor, wrongShape, invalidConfig
        /// A tensor's element type is valid in its file but cannot be used the way it was asked for
        /// (a safetensors I64 tensor read as floats, say).
        case unsupportedTensorType
        /// A file could not be written (safetensors checkpoints).
        case unwritable
        case invalidTokenizer, unsupportedTokenizer
    }

    public let kind: Kind
    public let path: String
    public let detail: String

    public init(_ kind: Kind, path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(path): \(detail)" }
}
