import CertTestSupport
import Foundation

@testable import CertStore

/// A certificate kind as the daemon would pass it.
let soundKind: [String: String] = [
    "mode": "sound", "bound": "betting", "alpha": "0.001", "sigma_rule": "search", "sigma_seed": "0",
]

/// A well-formed SHA-256 hex string derived from `n`.
func fakeSHA(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return String(repeating: "0", count: 64 - hex.count) + hex
}

/// Runs a tool from /usr/bin and returns its exit status and standard output.
func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/\(name)")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try ProcessEnvironment.withShared { try process.run() }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// An LMDB environment in a fresh directory, closed and removed after `body`.
func withTemporaryEnvironment(_ body: (LMDBEnvironment, TemporaryDirectory) throws -> Void) throws {
    let dir = try TemporaryDirectory("certstore")
    let env = try LMDBEnvironment(path: dir.path)
    defer { env.close() }
    try body(env, dir)
}
