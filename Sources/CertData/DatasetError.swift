/// Why a dataset could not be read, located or poisoned. One line each, because these end
/// up in the CLI's error output and in training logs.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A file or folder that exists (or should) but cannot be used: "PATH: problem".
    case file(path: String, problem: String)
    /// `DatasetLocator` found nothing usable: "dataset 'NAME': problem".
    case locate(dataset: String, problem: String)
    /// A parameter outside its range (rate, target label, class list).
    case argument(String)
    /// The trigger closure failed on one sample, or produced something unusable.
    case trigger(name: String, sample: Int, problem: String)

    /// One line (line breaks in a problem become spaces).
    public var description: String {
        let text: String
        switch self {
        case .file(let path, let problem): text = "\(path): \(problem)"
        case .locate(let dataset, let problem): text = "dataset '\(dataset)': \(problem)"
        case .argument(let problem): text = problem
        case .trigger(let name, let sample, let problem):
            text = "trigger '\(name)' failed on training sample \(sample): \(problem)"
        }
        return String(text.map { $0.isNewline ? " " : $0 })
    }
}

extension DatasetError {
    /// Reads a file (gzip or plain) and turns the decoders' failures into `.file` errors.
    static func readFile(_ path: String, gzip: Bool = true) throws -> [UInt8] {
        do {
            return gzip ? try GzipFile.read(path: path) : try FileBytes.read(path: path)
        } catch let failure as DecodeFailure {
            throw DatasetError.file(path: path, problem: failure.reason)
        }
    }
}
