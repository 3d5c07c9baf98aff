import CertTestSupport
import Foundation

/// Builds purpose-made C plugins with the system compiler into private temporary folders.
enum CPlugin {
    /// A configurable plugin: each test picks its defect with -D flags.
    static let configurable = """
        #include <stdio.h>
        #include "certssb_trigger.h"
        #ifndef ABI
        #define ABI CERTSSB_TRIGGER_ABI_VERSION
        #endif
        #ifndef NAME
        #define NAME "testplugin"
        #endif
        #ifndef ENTRY
        #define ENTRY certssb_trigger_entry
        #endif
        static int supports(uint32_t c, uint32_t h, uint32_t w) {
        #ifdef ONLY_MNIST
            return c == 1 && h == 28 && w == 28;
        #else
            return c >= 1 && h >= 1 && w >= 1;
        #endif
        }
        static int apply(float *x, uint32_t c, uint32_t h, uint32_t w, double d, char *error, size_t size) {
        #ifdef FAIL
            snprintf(error, size, "image too dark for this trigger");
            return 7;
        #else
            for (uint32_t k = 0; k < c; k++) x[(size_t)k * h * w] += (float)d;
            return 0;
        #endif
        }
        #ifdef NULL_APPLY
        #define APPLY NULL
        #else
        #define APPLY apply
        #endif
        static const struct certssb_trigger_v1 descriptor = { ABI, NAME, "0.1", "test plugin", supports, APPLY };
        const struct certssb_trigger_v1 *ENTRY(void) {
        #ifdef RETURN_NULL
            return NULL;
        #else
            return &descriptor;
        #endif
        }
        """

    /// Compiles `source` into `folder/fileName` (mode 0755) and returns the library's path.
    @discardableResult
    static func build(
        _ source: String = configurable, defines: [String] = [], into folder: String,
        fileName: String = "libcertssb-trigger-test.so"
    ) throws -> String {
        let sourcePath = (folder as NSString).appendingPathComponent("\(fileName).c")
        let output = (folder as NSString).appendingPathComponent(fileName)
        // The source sits beside the library but does not end in .so, so the registry ignores it.
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments =
            ["-shared", "-fPIC", "-I", TestPaths.abiHeaders] + defines.map { "-D\($0)" }
            + ["-o", output, sourcePath]
        // cc's own temporary files go into the test folder, not straight into /tmp.
        process.environment = ProcessEnvironment.current.merging(["TMPDIR": TemporaryDirectory.processRoot]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        try ProcessEnvironment.withShared { try process.run() }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CompileError(message: message) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: output)
        return output
    }

    struct CompileError: Error, CustomStringConvertible { var message: String; var description: String { "cc failed: \(message)" } }
}
