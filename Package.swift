// swift-tools-version: 6.0
import PackageDescription

// Hot kernels are compiled for haswell (AVX2 + FMA + F16C), the baseline of every machine this
// project runs on; SIMD16<Float> then lowers to two 256-bit registers instead of four 128-bit ones.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release)),
    .unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .debug)),
]

let package = Package(
    name: "SpecGRPO",
    products: [
        .executable(name: "specgrpo", targets: ["specgrpo"]),
        .library(name: "SpecGRPO", targets: ["Compute", "ModelFormats", "Tokenization"]),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .target(name: "Compute", dependencies: ["CBLAS"], swiftSettings: kernelFlags),
        .target(name: "ModelFormats", dependencies: ["Compute"]),
        .target(name: "Tokenization", dependencies: ["ModelFormats"]),
        .executableTarget(name: "specgrpo", dependencies: ["ModelFormats"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "ModelFormats"], swiftSettings: kernelFlags),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "ModelFormats"], exclude: ["Fixtures"]),
    ],
    // Kernels hand raw buffer pointers to `DispatchQueue.concurrentPerform` workers that write
    // disjoint slices; Swift 6's strict sendability checking cannot express that, so the package
    // builds in the Swift 5 language mode (same compiler, same optimizer).
    swiftLanguageModes: [.v5]
)
