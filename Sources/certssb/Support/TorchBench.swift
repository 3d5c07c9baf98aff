import CertBench
import Foundation

/// scripts/bench-torch-vmap.py beside the bench: PyTorch's ensembling recipe (vmap) and the
/// plain loop on the same random weights, run when `python -c 'import numpy, torch'` works.
struct TorchBench {
    var python: String
    var script: String
    var modelSet: String
    var repeats: Int
    var images: Int

    /// The command line, as the bench prints it for a user to run by hand.
    var command: [String] {
        [python, script, "--model-set", modelSet, "--threads", "2", "--images", String(images), "--repeats", String(repeats), "--json"]
    }

    /// Why torch cannot run here, or nil when it can.
    func unavailable() -> String? {
        guard FileManager.default.isReadableFile(atPath: script) else { return "no \(script) (run the bench from the repository root)" }
        // The script imports both.
        let probe = Self.run([python, "-c", "import numpy, torch"], capture: false)
        return probe?.status == 0 ? nil : "\(python) cannot import torch and numpy (pass --torch-python PATH to a python with both)"
    }

    /// The script's figures (lists of runs) as `BenchFigure`s, and its strings.
    func measure() throws -> (figures: [String: BenchFigure], strings: [String: String]) {
        guard let result = Self.run(command, capture: true), result.status == 0 else {
            throw CLIFailure("\(command.joined(separator: " ")) failed")
        }
        guard let object = try JSONSerialization.jsonObject(with: result.output) as? [String: Any] else {
            throw CLIFailure("bench-torch-vmap.py printed no JSON object")
        }
        var figures: [String: BenchFigure] = [:], strings: [String: String] = [:]
        for (key, value) in object {
            if let runs = value as? [Double], !runs.isEmpty {
                figures[key] = BenchFigure(runs)
            } else if let number = value as? Double {
                figures[key] = BenchFigure(single: number)
            } else if let text = value as? String {
                strings[key] = text
            }
        }
        return (figures, strings)
    }

    /// Runs `arguments` (the first found on PATH when it has no slash), stderr passed through.
    private static func run(_ arguments: [String], capture: Bool) -> (status: Int32, output: Data)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = capture ? pipe : FileHandle.nullDevice
        process.standardError = capture ? FileHandle.standardError : FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
