/// A read-only (rows × cols) matrix in any supported storage format, row-major: row r holds the
/// `cols` input weights of output r (ggml's layout, and PyTorch's `Linear.weight`). The bytes are
/// not owned: they point into a memory-mapped file or an array that `owner` keeps alive.
public struct WeightMatrix: @unchecked Sendable {
    public let type: TensorType
    public let rows: Int
    public let cols: Int
    public let data: UnsafeRawPointer
    /// Keeps the storage behind `data` alive.
    public let owner: AnyObject?
    /// Nil for formats without panels.
    private let panelSlot: PanelSlot?

    public init(type: TensorType, rows: Int, cols: Int, data: UnsafeRawPointer, owner: AnyObject?) {
        precondition(cols % type.blockLength == 0, "\(type) rows need a multiple of \(type.blockLength) columns, got \(cols)")
        self.type = type
        self.rows = rows
        self.cols = cols
        self.data = data
        self.owner = owner
        panelSlot = WeightPanels.supports(type) ? PanelSlot() : nil
    }

    /// The rows repacked for the integer kernels (Q8_0, Q5_0, Q4_0, Q4_K, Q6_K), packed at the
    /// first use; nil for other formats.
    public var panels: WeightPanels? {
        panelSlot?.packed.withLock { slot in
            if let slot { return slot }
            let made = WeightPanels(self)
            slot = made
            return made
        }
    }

    public var rowBytes: Int { type.byteCount(elements: cols) }
    public var byteCount: Int { rows * rowBytes }

    @inline(__always)
    public func row(_ r: Int) -> UnsafeRawPointer { data + r * rowBytes }

    /// Dequantizes row `r` into `dst` (cols floats).
    public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        RowDequantizer.row(dst, row(r), type: type, count: cols)
    }
}
