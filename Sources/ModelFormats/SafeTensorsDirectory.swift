import Foundation

/// The safetensors weights of a Hugging Face model directory, possibly split into shards.
///
/// With `model.safetensors.index.json` present, its `weight_map` (tensor name → shard file name)
/// says which shards to open and each listed tensor must be in its shard; otherwise every
/// `*.safetensors` file of the directory is opened (usually just `model.safetensors`). A tensor
/// name found in two files is an error.
public final class SafeTensorsDirectory: @unchecked Sendable {
    public static let indexFileName = "model.safetensors.index.json"

    public let path: String
    /// The opened files, sorted by file name.
    public let files: [SafeTensorsFile]
    private let location: [String: Int] // tensor name → index into `files`

    /// - Parameter path: a model directory, or a single `.safetensors` file.
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFileError(.unreadable, path: path, "no such file or directory")
        }
        var files: [SafeTensorsFile] = []
        var location: [String: Int] = [:]
        let names: [String]
        var weightMap: [String: String]?
        let indexPath = (path as NSString).appendingPathComponent(Self.indexFileName)

        if !isDirectory.boolValue {
            names = []
            files = [try SafeTensorsFile(path: path)]
        } else if FileManager.default.fileExists(atPath: indexPath) {
            let map = try Self.readWeightMap(indexPath)
            weightMap = map
            names = Set(map.values).sorted()
        } else {
            let listing: [String]
            do { listing = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw ModelFileError(.unreadable, path: path, "cannot list directory: \(error.localizedDescription)")
            }
            names = listing.filter { $0.hasSuffix(".safetensors") }.sorted()
            guard !names.isEmpty else {
                throw ModelFileError(.unreadable, path: path, "no .safetensors file and no \(Self.indexFileName) in this directory")
            }
        }
        for name in names {
            files.append(try SafeTensorsFile(path: (path as NSString).appendingPathComponent(name)))
        }
        for (i, file) in files.enumerated() {
            for tensor in file.tensors {
                if let other = location[tensor.name] {
                    throw ModelFileError(.malformedHeader, path: file.path,
                                         "tensor '\(tensor.name)' is also in \(files[other].path)")
                }
                location[tensor.name] = i
            }
        }
        if let weightMap {
            for (tensor, shard) in weightMap.sorted(by: { $0.key < $1.key }) {
                let file = files[names.firstIndex(of: shard)!]
                guard file.tensorInfo(tensor) != nil else {
                    throw ModelFileError(.missingTensor, path: file.path,
                                         "tensor '\(tensor)' is missing (\(indexPath) places it in this file)")
                }
            }
        }
        self.files = files
        self.location = location
    }

    /// All tensor names, sorted.
    public var tensorNames: [String] { location.keys.sorted() }

    /// The file that holds tensor `name`.
    public func file(containing name: String) -> SafeTensorsFile? { location[name].map { files[$0] } }

    public func tensorInfo(_ name: String) -> SafeTensorsFile.TensorInfo? { file(containing: name)?.tensorInfo(name) }

    /// The raw bytes of tensor `name`, straight from its file's mapping.
    public func data(_ name: String) throws -> (info: SafeTensorsFile.TensorInfo, bytes: UnsafeRawBufferPointer) {
        try existing(name).data(name)
    }

    /// The values of a F32, F16 or BF16 tensor as fp32, in row-major order.
    public func floats(_ name: String) throws -> [Float] { try existing(name).floats(name) }

    /// See `SafeTensorsFile.copyFloats(_:into:)`.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try existing(name).copyFloats(name, into: destination)
    }

    private func existing(_ name: String) throws -> SafeTensorsFile {
        guard let file = file(containing: name) else {
            throw ModelFileError(.missingTensor, path: path, "tensor '\(name)' is in none of the safetensors files")
        }
        return file
    }

    private struct Index: Decodable {
        let weightMap: [String: String]
        enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
    }

    private static func readWeightMap(_ indexPath: String) throws -> [String: String] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: indexPath)) } catch {
            throw ModelFileError(.unreadable, path: indexPath, "cannot read: \(error.localizedDescription)")
        }
        let index: Index
        do { index = try JSONDecoder().decode(Index.self, from: data) } catch let error as DecodingError {
            throw ModelFileError(.malformedHeader, path: indexPath, error.fieldDescription)
        }
        for (tensor, shard) in index.weightMap {
            // Shards live beside the index; a path out of the directory is not a shard name.
            guard !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw ModelFileError(.malformedHeader, path: indexPath, "weight_map places '\(tensor)' in '\(shard)', which is not a file name")
            }
        }
        return index.weightMap
    }
}
