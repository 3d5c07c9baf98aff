// swift-tools-version:6.0
// certssb: certified sample-specific backdoor defence (Cert-SSB) on the CPU.
//
// The graph reads like the pipeline:
//   decode (CertData) → sigma/noise (CertCore) → schedule (CertScheduler)
//   → certify (Certify, CertMath) → store → reply (executables)
import PackageDescription

let package = Package(
    name: "certssb",
    products: [
        .executable(name: "certssb", targets: ["certssb"]),
        .executable(name: "certssbd", targets: ["certssbd"]),
        // Trigger shapes, loaded with dlopen by name (CONTRACTS.md §5).
        .library(name: "certssb-trigger-onepixel", type: .dynamic, targets: ["OnePixelTrigger"]),
        .library(name: "certssb-trigger-fourpixel", type: .dynamic, targets: ["FourPixelTrigger"]),
        .library(name: "certssb-trigger-blending", type: .dynamic, targets: ["BlendingTrigger"]),
        // The fuzz targets' bodies, linked by Tests/Fuzz's libFuzzer binary (docs/FUZZING.md).
        .library(name: "CertFuzzTargets", targets: ["CertFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Thin shims over Debian's C libraries: a module map and a header, nothing else.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLibz", path: "Sources/CLibz", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CLMDB", path: "Sources/CLMDB", providers: [.apt(["liblmdb-dev"])]),
        // The trigger-plugin C ABI: one header, shared by the host and every plugin.
        .systemLibrary(name: "CTriggerABI", path: "Sources/CTriggerABI"),

        // The one image-shape type every stage shares (CHW).
        .target(name: "CertShape"),
        // The project's only caller of file and socket syscalls: errno as SystemError, EINTR retried.
        .target(name: "CertSystem"),
        // The engine's fixed-order kernels (convolutions, fully connected layers, fp16
        // widening), built for AVX2 + FMA + F16C (their portable twins are emitted into the
        // caller; CertCore picks one by CPU flags).
        // Optimised in debug builds too: unoptimised SIMD code is a hundred times slower, and the
        // debug test suite certifies with it.
        .target(
            name: "CertKernels",
            swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"]), .unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The convolution kernel's 16-lane build, the one module built for AVX-512 (CertCore
        // calls it only where the CPU's flags list AVX-512; same bits as the other builds).
        .target(
            name: "CertKernelsAVX512", dependencies: ["CertKernels"],
            swiftSettings: [.unsafeFlags(["-target-cpu", "skylake-avx512"]), .unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Pure statistics of the certificate: normal quantile, Hoeffding, Clopper–Pearson, radius.
        .target(name: "CertMath"),
        // Tensors, layers on OpenBLAS, architectures, deterministic noise, model sets.
        .target(
            name: "CertCore",
            dependencies: [
                "CBLAS", "CertKernels", "CertKernelsAVX512", "CertMath", "CertShape", "CertSystem",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The engine's loops (epilogues, pooling, im2col, fp16 widening) optimised in debug
            // builds too, for the debug test suite's certifications.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Bytes to tensors: image decoders and dataset readers.
        .target(name: "CertData", dependencies: ["CLibz", "CPNG", "CTurboJPEG", "CertMath", "CertShape", "CertSystem"]),
        // Trigger plugins: the registry and dlopen loader over the C ABI.
        .target(name: "TriggerKit", dependencies: ["CTriggerABI", "CertShape", "CertSystem"]),
        // Code the three plugins share, linked statically into each library.
        .target(name: "TriggerPluginSupport", dependencies: ["CTriggerABI"], path: "Plugins/Support"),
        .target(name: "OnePixelTrigger", dependencies: ["CTriggerABI", "TriggerPluginSupport"], path: "Plugins/OnePixel"),
        .target(name: "FourPixelTrigger", dependencies: ["CTriggerABI", "TriggerPluginSupport"], path: "Plugins/FourPixel"),
        .target(name: "BlendingTrigger", dependencies: ["CTriggerABI", "TriggerPluginSupport"], path: "Plugins/Blending"),
        // Backward passes, losses, Adam and the training loop of the smoothed ensembles.
        .target(name: "CertTraining", dependencies: ["CertCore", "CertScheduler", "CBLAS"]),
        // The LMDB layer: one environment, named databases, typed keys; sigmas, regions, verdicts.
        .target(name: "CertStore", dependencies: ["CLMDB", .product(name: "Crypto", package: "swift-crypto")]),
        // Reads the authors' PyTorch checkpoints (zip + pickle) without Python; its own zip reader
        // (ZIPFoundation only writes the tests' fixtures).
        .target(
            name: "TorchImport", dependencies: ["CertCore", "CertSystem", "CLibz"]),
        // Worker pool: models split across threads, images micro-batched.
        // The sample-specific sigma: gradient ascent on the radius, or the released rule.
        .target(name: "CertSigma", dependencies: ["CertCore", "CertMath", "CertTraining", "CertScheduler"]),
        .target(name: "CertScheduler", dependencies: ["CertCore", "CBLAS"]),
        // From scores to verdicts.
        .target(name: "Certify", dependencies: ["CertCore", "CertMath", "CertScheduler", "CertSigma"]),
        // Measurements behind `certssb bench`: sgemm, forward passes, certification throughput,
        // the storage-update at 10⁶ regions.
        .target(
            name: "CertBench",
            dependencies: ["CertCore", "CertMath", "CertScheduler", "CertSigma", "Certify", "CertTraining", "CertStore", "CertLedger"]),
        // The paper's evaluation: metrics over radii, its table, JSON/CSV and plots.
        .target(name: "CertEval"),
        // The storage-update step over a stream of verdicts, committed to the store (eval and the daemon).
        .target(name: "CertLedger", dependencies: ["CertCore", "CertSigma", "CertStore", "Certify"]),
        // The daemon's core without I/O of its own: config, the engine (model set, certifier,
        // plugins, store) and the batching pipeline. The CLI's bench runs it too.
        .target(
            name: "CertPipeline",
            dependencies: [
                "CertCore", "CertData", "CertScheduler", "CertSigma", "CertStore", "Certify", "CertLedger", "CertMath", "TriggerKit",
                "CertSystem", "CertShape",
            ]),
        // The socket client of the CLI's daemon verbs (HTTP/1.1 over a Unix socket).
        .target(name: "CertClient", dependencies: ["CertSystem"]),
        // The daemon: watch folder, HTTP over the Unix socket, systemd glue, lifecycle.
        .target(
            name: "CertDaemon",
            dependencies: [
                "CertCore", "CertData", "CertStore", "Certify", "CertSigma", "TriggerKit", "CSystemd", "CertPipeline", "CertLedger",
                "CertSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "certssbd",
            dependencies: [
                "CertDaemon", "CertPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "certssb",
            dependencies: [
                "CertCore", "CertData", "CertMath", "CertScheduler", "Certify", "TorchImport", "CertBench",
                "TriggerKit", "CertTraining", "CertStore", "CertSigma", "CertEval", "CertLedger", "CertPipeline", "CertClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // What the test targets share: temporary directories, synthetic digits, random model
        // sets, waiting on conditions, spawned children, and the threads blocking tests run on.
        .target(name: "CertTestSupport", dependencies: ["CertCore", "CertData", "CertMath", "CertShape"], path: "Tests/CertTestSupport"),
        .testTarget(name: "CertTestSupportTests", dependencies: ["CertTestSupport", "CertData"]),
        // One function per fuzz target, each feeding bytes to what a real caller runs; libFuzzer
        // (Tests/Fuzz) and FuzzCorpusTests (the committed corpora, in `swift test`) both call them.
        .target(
            name: "CertFuzzTargets",
            dependencies: [
                "CertData", "CertCore", "CertMath", "CertPipeline", "CertDaemon", "Certify", "TorchImport", "CLibz",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/CertFuzzTargets"),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["CertFuzzTargets", "CertTestSupport"]),

        .testTarget(name: "CertSystemTests", dependencies: ["CertSystem", "CertTestSupport"]),
        .testTarget(name: "CertMathTests", dependencies: ["CertMath", "CertTestSupport"]),
        .testTarget(name: "CertCoreTests", dependencies: ["CertShape", "CertCore", "CertKernels", "CertTestSupport"]),
        .testTarget(
            name: "CertDataTests", dependencies: ["CertShape", "CertData", "CertMath", "CPNG", "CTurboJPEG", "CLibz", "CertTestSupport"]),
        .testTarget(name: "TriggerKitTests", dependencies: ["CertShape", "TriggerKit", "CertTestSupport"]),
        .testTarget(name: "CertStoreTests", dependencies: ["CertStore", "CertTestSupport"]),
        .testTarget(name: "CertLedgerTests", dependencies: ["CertLedger", "CertStore", "Certify", "CertMath", "CertTestSupport"]),
        .testTarget(name: "CertEvalTests", dependencies: ["CertEval", "CertData", "CertShape"]),
        .testTarget(
            name: "CertPipelineTests",
            dependencies: [
                "CertPipeline", "CertCore", "CertData", "Certify", "CertStore", "CertTestSupport",
            ]),
        .testTarget(
            name: "CertDaemonTests",
            dependencies: [
                "CertShape", "CertDaemon", "CertPipeline", "CertCore", "CertData", "CSystemd", "CertTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        .testTarget(name: "CertSigmaTests", dependencies: ["CertSigma", "CertCore", "CertTraining", "CertTestSupport"]),
        .testTarget(name: "CertTrainingTests", dependencies: ["CertTraining", "CertCore", "CertTestSupport"]),
        .testTarget(
            name: "TorchImportTests",
            dependencies: [
                "TorchImport", "CertTestSupport", "CLibz", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(name: "CertSchedulerTests", dependencies: ["CertScheduler", "CertCore", "CertTestSupport"]),
        .testTarget(name: "CertifyTests", dependencies: ["Certify", "CertCore", "CertMath", "CertTestSupport"]),
        .testTarget(name: "CertBenchTests", dependencies: ["CertBench"]),
        .testTarget(
            name: "CLITests", dependencies: ["CertShape", "certssb", "certssbd", "CertCore", "CertData", "CertClient", "CertTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
