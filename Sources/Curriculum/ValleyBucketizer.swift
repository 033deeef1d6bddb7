/// Settings of the valley bucketizer. Validated on creation and on decoding; keys missing from a
/// JSON configuration take the defaults.
public struct BucketizerConfig: Codable, Sendable, Equatable {
    /// Most buckets to form (n_buckets); at least 1. Default 3.
    public var maxBuckets: Int
    /// Bandwidth rule of the KDE on the normalised scale. Default Silverman.
    public var bandwidth: BandwidthRule
    /// Number of grid points on [0, 1] where the density is evaluated; at least 3. Default 512.
    public var gridPoints: Int
    /// Valleys whose prominence is below this fraction of the highest density are ignored, so
    /// sampling noise in the density makes no boundary. In [0, 1). Default 0.05.
    public var minRelativeProminence: Double
    /// A bucket with fewer samples is merged into its nearest neighbour; at least 1. Default 8.
    public var minBucketSize: Int

    /// Creates a validated configuration.
    /// - Throws: `CurriculumError.invalidConfiguration` naming the first bad field.
    public init(maxBuckets: Int = 3, bandwidth: BandwidthRule = .silverman, gridPoints: Int = 512,
                minRelativeProminence: Double = 0.05, minBucketSize: Int = 8) throws {
        self.maxBuckets = maxBuckets
        self.bandwidth = bandwidth
        self.gridPoints = gridPoints
        self.minRelativeProminence = minRelativeProminence
        self.minBucketSize = minBucketSize
        try validate()
    }

    /// The defaults listed on each field.
    public static let defaults = BucketizerConfig(
        unchecked: 3, bandwidth: .silverman, gridPoints: 512, minRelativeProminence: 0.05, minBucketSize: 8)

    private init(unchecked maxBuckets: Int, bandwidth: BandwidthRule, gridPoints: Int,
                 minRelativeProminence: Double, minBucketSize: Int) {
        self.maxBuckets = maxBuckets
        self.bandwidth = bandwidth
        self.gridPoints = gridPoints
        self.minRelativeProminence = minRelativeProminence
        self.minBucketSize = minBucketSize
    }

    /// Checks every field; called by both initialisers.
    public func validate() throws {
        try CurriculumError.require(maxBuckets >= 1, field: "maxBuckets", expected: "at least 1",
                                    found: "\(maxBuckets)")
        try bandwidth.validate()
        try CurriculumError.require(gridPoints >= 3, field: "gridPoints", expected: "at least 3",
                                    found: "\(gridPoints)")
        try CurriculumError.require(minRelativeProminence >= 0 && minRelativeProminence < 1,
                                    field: "minRelativeProminence", expected: "in [0, 1)",
                                    found: "\(minRelativeProminence)")
        try CurriculumError.require(minBucketSize >= 1, field: "minBucketSize", expected: "at least 1",
                                    found: "\(minBucketSize)")
    }

    private enum CodingKeys: String, CodingKey {
        case maxBuckets, bandwidth, gridPoints, minRelativeProminence, minBucketSize
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            maxBuckets: c.decodeIfPresent(Int.self, forKey: .maxBuckets) ?? 3,
            bandwidth: c.decodeIfPresent(BandwidthRule.self, forKey: .bandwidth) ?? .silverman,
            gridPoints: c.decodeIfPresent(Int.self, forKey: .gridPoints) ?? 512,
            minRelativeProminence: c.decodeIfPresent(Double.self, forKey: .minRelativeProminence) ?? 0.05,
            minBucketSize: c.decodeIfPresent(Int.self, forKey: .minBucketSize) ?? 8)
    }
}

/// Splits per-sample difficulty values into clusters at the valleys of their estimated density.
///
/// Steps: min-max normalise to [0, 1] (all values equal → one bucket); Gaussian KDE on a grid;
/// find the local minima of the density and rank them by prominence, dropping those below the
/// relative threshold; keep the `maxBuckets − 1` most prominent as boundaries; then merge every
/// bucket smaller than `minBucketSize` into its nearest neighbour (the adjacent bucket whose mean is
/// closest), smallest first, until none is left or one bucket remains.
public struct ValleyBucketizer: Sendable, Equatable {
    /// The settings in use.
    public let config: BucketizerConfig

    /// Creates a bucketizer. The configuration's fields are mutable, so it is checked again here.
    /// - Throws: `CurriculumError.invalidConfiguration` for a bad field.
    public init(config: BucketizerConfig) throws {
        try config.validate()
        self.config = config
    }

    /// Fits a partition to `values` (raw scale).
    /// - Throws: `CurriculumError.emptyInput` for no values, `.nonFiniteValue` for NaN or infinity.
    public func fit(_ values: [Double]) throws -> BucketPartition {
        let scale = try MinMaxScale(fitting: values)
        if scale.isDegenerate {
            return BucketPartition(scale: scale, boundaries: [], bandwidth: 0, valleys: [])
        }
        let normalised = values.map(scale.normalise)
        let bandwidth = KernelDensity.bandwidth(for: normalised, rule: config.bandwidth)
        let grid = KernelDensity.unitGrid(points: config.gridPoints)
        let density = KernelDensity.density(of: normalised, bandwidth: bandwidth, at: grid)
        let valleys = ValleyBucketizer.valleys(in: density, grid: grid)
            .filter { $0.relativeProminence >= config.minRelativeProminence }
        let kept = valleys.prefix(config.maxBuckets - 1).map(\.position).sorted()
        let merged = mergeSmallBuckets(boundaries: kept, normalised: normalised)
        return BucketPartition(scale: scale, boundaries: merged, bandwidth: bandwidth, valleys: valleys)
    }

    /// All local minima of `density`, most prominent first (ties: leftmost first).
    ///
    /// A run of equal values (a plateau, such as an underflowed gap between clusters) counts as one
    /// minimum at its middle when both neighbours of the run are higher; runs that touch an end of
    /// the grid are not valleys. Prominence follows the topographic definition applied to −density:
    /// walk left and right from the floor until the density drops below it (or the grid ends); the
    /// lower of the two highest points met is the ridge, and prominence = ridge − floor.
    public static func valleys(in density: [Double], grid: [Double]) -> [Valley] {
        precondition(density.count == grid.count, "density and grid differ in length")
        let peak = density.max() ?? 0
        guard peak > 0 else { return [] }
        var found: [Valley] = []
        var i = 1
        while i < density.count - 1 {
            guard density[i] < density[i - 1] else { i += 1; continue }
            var j = i
            while j + 1 < density.count && density[j + 1] == density[i] { j += 1 }
            if j + 1 < density.count && density[j + 1] > density[i] {
                let floor = density[i]
                let leftRidge = ridge(density, from: i - 1, step: -1, floor: floor)
                let rightRidge = ridge(density, from: j + 1, step: 1, floor: floor)
                let middle = (i + j) / 2
                found.append(Valley(position: grid[middle], relativeDepth: floor / peak,
                                    relativeProminence: (min(leftRidge, rightRidge) - floor) / peak))
            }
            i = j + 1
        }
        return found.sorted {
            $0.relativeProminence != $1.relativeProminence
                ? $0.relativeProminence > $1.relativeProminence : $0.position < $1.position
        }
    }

    /// Highest density met walking from `start` by `step` until it falls below `floor` or the grid ends.
    private static func ridge(_ density: [Double], from start: Int, step: Int, floor: Double) -> Double {
        var highest = floor
        var k = start
        while k >= 0 && k < density.count && density[k] >= floor {
            highest = max(highest, density[k])
            k += step
        }
        return highest
    }

    /// Removes boundaries until every bucket holds at least `minBucketSize` values (or one bucket is
    /// left). The smallest bucket goes first (lowest index on ties) and joins the neighbour whose
    /// mean is closest to its own; an empty bucket uses the middle of its interval as its centre.
    private func mergeSmallBuckets(boundaries: [Double], normalised: [Double]) -> [Double] {
        var cuts = boundaries
        while !cuts.isEmpty {
            var counts = Array(repeating: 0, count: cuts.count + 1)
            var sums = Array(repeating: 0.0, count: cuts.count + 1)
            for t in normalised {
                var b = 0
                for cut in cuts where t > cut { b += 1 }
                counts[b] += 1
                sums[b] += t
            }
            guard let smallest = counts.indices.min(by: { counts[$0] < counts[$1] }),
                  counts[smallest] < config.minBucketSize else { break }
            func centre(_ b: Int) -> Double {
                if counts[b] > 0 { return sums[b] / Double(counts[b]) }
                let low = b == 0 ? 0 : cuts[b - 1]
                let high = b == cuts.count ? 1 : cuts[b]
                return 0.5 * (low + high)
            }
            let here = centre(smallest)
            let joinLeft: Bool
            if smallest == 0 {
                joinLeft = false
            } else if smallest == cuts.count {
                joinLeft = true
            } else {
                joinLeft = abs(here - centre(smallest - 1)) <= abs(centre(smallest + 1) - here)
            }
            // Boundary k separates buckets k and k + 1.
            cuts.remove(at: joinLeft ? smallest - 1 : smallest)
        }
        return cuts
    }
}
