/// Where each named trainable tensor lives in one flat fp32 buffer. Parameters, gradients and
/// both AdamW moments use this same layout, so the optimizer step is a single loop over the
/// buffer and checkpoints are a walk over `entries`.
public struct ParameterLayout: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Hugging Face (full weights) or peft (LoRA adapters) tensor name.
        public let name: String
        /// Row-major shape, e.g. (out, in) for a matrix.
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        /// Whether decoupled weight decay applies (matrices yes; norm gains and biases no, by default).
        public let decay: Bool
    }

    public private(set) var entries: [Entry] = []
    /// Total number of fp32 values.
    public private(set) var count = 0
    private var index: [String: Int] = [:]

    public init() {}

    /// Appends a tensor and returns its offset.
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], decay: Bool) -> Int {
        precondition(index[name] == nil, "duplicate parameter \(name)")
        let entry = Entry(name: name, shape: shape, offset: count, decay: decay)
        index[name] = entries.count
        entries.append(entry)
        count += entry.count
        return entry.offset
    }

    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }
}
