import Foundation

func NSTemporaryDirectoryPath() -> String { NSTemporaryDirectory() + UUID().uuidString }
func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
