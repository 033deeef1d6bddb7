/// Why a checkpoint was refused.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable { case missing, corrupted, configMismatch, layoutMismatch }
    public let kind: Kind
    public let path: String
    public let detail: String

    public init(_ kind: Kind, path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "checkpoint \(path): \(detail)" }
}
