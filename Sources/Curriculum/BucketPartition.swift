/// A local minimum of the estimated density, a candidate boundary between two clusters.
public struct Valley: Codable, Sendable, Equatable {
    /// Position on the normalised [0, 1] scale.
    public let position: Double
    /// Density at the valley floor, divided by the highest density on the grid.
    public let relativeDepth: Double
    /// Prominence (height of the lower of the two ridges that enclose the valley, minus the floor),
    /// divided by the highest density on the grid.
    public let relativeProminence: Double
}

/// The result of fitting the bucketizer: where the bucket boundaries lie and how a value is
/// assigned to a bucket.
///
/// Buckets are numbered from the lowest rewards up: bucket 0 holds the hardest samples, the last
/// bucket the easiest. A value exactly on a boundary belongs to the lower bucket.
public struct BucketPartition: Codable, Sendable, Equatable {
    /// The normalisation fitted to the values.
    public let scale: MinMaxScale
    /// Boundaries on the normalised scale, ascending, each strictly inside (0, 1).
    public let boundaries: [Double]
    /// KDE bandwidth on the normalised scale; 0 when the values were all equal and no KDE ran.
    public let bandwidth: Double
    /// Every valley that passed the prominence threshold, most prominent first, including any that
    /// were not used as boundaries (diagnostics).
    public let valleys: [Valley]

    /// Creates a partition; `boundaries` must be ascending and inside (0, 1).
    public init(scale: MinMaxScale, boundaries: [Double], bandwidth: Double, valleys: [Valley]) {
        precondition(zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 < $1 },
                     "boundaries must be strictly ascending")
        precondition(boundaries.allSatisfy { $0 > 0 && $0 < 1 }, "boundaries must lie inside (0, 1)")
        self.scale = scale
        self.boundaries = boundaries
        self.bandwidth = bandwidth
        self.valleys = valleys
    }

    /// Number of buckets, boundaries + 1.
    public var bucketCount: Int { boundaries.count + 1 }

    /// Boundaries mapped back to the raw reward scale, ascending.
    public var rawBoundaries: [Double] { boundaries.map(scale.raw) }

    /// The bucket of a raw value. Assignment compares normalised values with the normalised
    /// boundaries, so it is identical for any positive affine change of the rewards.
    public func bucket(of rawValue: Double) -> Int {
        bucket(ofNormalised: scale.normalise(rawValue))
    }

    /// The bucket of a value already on the normalised scale.
    public func bucket(ofNormalised t: Double) -> Int {
        var b = 0
        for boundary in boundaries where t > boundary { b += 1 }
        return b
    }

    /// The bucket of each raw value.
    public func assign(_ rawValues: [Double]) -> [Int] {
        rawValues.map { bucket(of: $0) }
    }

    /// The raw-scale interval a bucket covers: from the previous boundary (or the fitted minimum)
    /// to the next boundary (or the fitted maximum).
    public func rawRange(of bucket: Int) -> ClosedRange<Double> {
        precondition(bucket >= 0 && bucket < bucketCount, "bucket \(bucket) outside 0..<\(bucketCount)")
        let raw = rawBoundaries
        let low = bucket == 0 ? scale.minimum : raw[bucket - 1]
        let high = bucket == bucketCount - 1 ? scale.maximum : raw[bucket]
        return low...max(low, high)
    }
}
