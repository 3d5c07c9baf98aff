// swift-tools-version:6.0
// The libFuzzer binary: one executable whose LLVMFuzzerTestOneInput runs the target named by
// $CERTSSB_FUZZ_TARGET (the functions live in the root package's CertFuzzTargets). Build and
// run it with scripts/fuzz.sh (docs/FUZZING.md); it needs
// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`.
import PackageDescription

let package = Package(
    name: "certssb-fuzz",
    // The root package through a link scripts/fuzz.sh makes in the root's .build
    // (.build/fuzz-root/certssb -> ../..), so its identity is "certssb" whatever the checkout
    // folder is called, and no tool walking Tests/ meets a loop.
    dependencies: [.package(path: "../../.build/fuzz-root/certssb")],
    targets: [
        .executableTarget(
            name: "certssb-fuzz",
            dependencies: [.product(name: "CertFuzzTargets", package: "certssb")])
    ],
    swiftLanguageModes: [.v6]
)
