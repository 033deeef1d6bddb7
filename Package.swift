// swift-tools-version: 6.0
import PackageDescription

// Hot kernels are compiled for Haswell-class x86-64 (AVX2 + FMA + F16C), the baseline of every
// machine this project runs on; SIMD8<Float> then maps onto one 256-bit register.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"]),
]

let package = Package(
    name: "SpecGRPO",
    products: [
        .executable(name: "specgrpo", targets: ["specgrpo"]),
        .library(name: "SpecGRPO", targets: ["Compute", "ModelFormats", "Tokenization", "Transformer", "Engine", "Curriculum", "Training", "Tasks"]),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        // C because it needs vpmaddubsw/vpmaddwd; see the header for why.
        .target(name: "QuantKernels", cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma", "-mf16c"])]),
        .target(name: "Compute", dependencies: ["CBLAS", "QuantKernels"], swiftSettings: kernelFlags),
        .target(name: "ModelFormats", dependencies: ["Compute"]),
        .target(name: "Transformer", dependencies: ["Compute", "ModelFormats"], swiftSettings: kernelFlags),
        .target(name: "Tokenization", dependencies: ["ModelFormats"]),
        .target(name: "Curriculum"),
        .target(name: "Tasks", dependencies: ["Curriculum", "Tokenization", "Engine", "Training", "Transformer"]),
        .target(name: "Engine", dependencies: ["Transformer", "Tokenization"]),
        .target(name: "Training", dependencies: ["Compute", "Transformer", "ModelFormats", "CBLAS", "Engine", "Tokenization"], swiftSettings: kernelFlags),
        .executableTarget(name: "specgrpo", dependencies: ["Transformer", "Tokenization", "ModelFormats", "Engine", "Curriculum", "Training", "Tasks"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "QuantKernels", "ModelFormats"], exclude: ["Fixtures"], swiftSettings: kernelFlags),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "TestSupport"], exclude: ["Fixtures"]),
        .target(name: "TestSupport", dependencies: ["Training", "ModelFormats", "Compute"], path: "Tests/TestSupport"),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "ModelFormats", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "ModelFormats", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CurriculumTests", dependencies: ["Curriculum"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Curriculum", "Tokenization", "Engine", "Training", "Transformer", "ModelFormats", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Transformer", "Tokenization", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Engine", "Transformer", "ModelFormats", "Compute", "TestSupport"], exclude: ["Fixtures"]),
    ],
    // Kernels hand raw buffer pointers to `DispatchQueue.concurrentPerform` workers that write
    // disjoint slices; Swift 6's strict sendability checking cannot express that, so the package
    // builds in the Swift 5 language mode (same compiler, same optimizer).
    swiftLanguageModes: [.v5]
)
