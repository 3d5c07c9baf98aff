/// An error the CLI reports as one line on stderr before exiting with `code`.
struct CLIFailure: Error {
    var message: String
    var code: Int32 = 2

    init(_ message: String, code: Int32 = 2) {
        self.message = message.split(separator: "\n").joined(separator: " ")
        self.code = code
    }

    init(_ error: Error) { self.init("\(error)") }
}
