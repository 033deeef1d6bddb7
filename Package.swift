// swift-tools-version: 6.0
import PackageDescription

// Hot kernels are compiled for x86-64-v3 (AVX2 + FMA + F16C), the baseline of every machine this
// project runs on; SIMD16<Float> then lowers to two 256-bit registers instead of four 128-bit ones.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "x86-64-v3"], .when(configuration: .release)),
    .unsafeFlags(["-target-cpu", "x86-64-v3"], .when(configuration: .debug)),
]

let package = Package(
    name: "SpecGRPO",
    products: [
        .executable(name: "specgrpo", targets: ["specgrpo"]),
        .library(name: "SpecGRPO", targets: ["Compute", "ModelFormats", "Curriculum"]),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .target(name: "Compute", dependencies: ["CBLAS"], swiftSettings: kernelFlags),
        .target(name: "ModelFormats", dependencies: ["Compute"]),
        .target(name: "Curriculum"),
        .executableTarget(name: "specgrpo", dependencies: ["ModelFormats"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "ModelFormats"], swiftSettings: kernelFlags),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats"]),
        .testTarget(name: "CurriculumTests", dependencies: ["Curriculum"]),
    ]
)
