import CertFuzzTargets

#if canImport(Glibc)
    import Glibc
#endif

// SwiftPM links an executable's `main` to `certssb_fuzz_main` (a symbol named after the module),
// so this is the entry point; it hands the command line to libFuzzer's driver, which then calls
// `fuzzOneInput` for every input.

/// The target this process fuzzes, from $CERTSSB_FUZZ_TARGET (scripts/fuzz.sh sets it).
let target: FuzzTarget = {
    let name = getenv("CERTSSB_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        let message = "certssb-fuzz: set CERTSSB_FUZZ_TARGET to one of \(names) (got '\(name)')\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
    return target
}()

/// One input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// libFuzzer's driver (compiler-rt's FuzzerDriver.cpp), for programs with a main of their own.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The process's entry point.
@_cdecl("certssb_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    _ = target  // refuse a bad target before libFuzzer starts
    return runDriver(&count, &arguments) { fuzzOneInput($0, $1) }
}
