import CertFuzzTargets

#if canImport(Glibc)
    import Glibc
#endif

/// The target this process fuzzes, from $CERTSSB_FUZZ_TARGET (scripts/fuzz.sh sets it).
let target: FuzzTarget = {
    let name = getenv("CERTSSB_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fputs("certssb-fuzz: set CERTSSB_FUZZ_TARGET to one of \(names) (got '\(name)')\n", stderr)
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
