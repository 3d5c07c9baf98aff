import CTriggerABI
import CertSystem

/// Opens one plugin file and checks its descriptor; the error is the one-line refusal reason.
/// Libraries are never dlclosed: a descriptor or its strings may be in use anywhere, and a
/// refused library may already have run its constructors.
enum PluginLoader {
    struct Refused: Error { var reason: String }

    static func open(_ path: String) -> Result<(descriptor: UnsafePointer<certssb_trigger_v1>, name: String), Refused> {
        let library: DynamicLibrary
        do { library = try DynamicLibrary(path: path) } catch {
            return .failure(Refused(reason: "dlopen failed: \(error)"))
        }
        guard let symbol = library.symbol(CERTSSB_TRIGGER_ENTRY) else {
            return .failure(Refused(reason: "no \(CERTSSB_TRIGGER_ENTRY) symbol: not a certssb trigger plugin"))
        }
        let entry = unsafeBitCast(symbol, to: certssb_trigger_entry_fn.self)
        guard let descriptor = entry() else {
            return .failure(Refused(reason: "\(CERTSSB_TRIGGER_ENTRY) returned NULL"))
        }
        let plugin = descriptor.pointee
        guard plugin.abi_version == CERTSSB_TRIGGER_ABI_VERSION else {
            return .failure(Refused(reason: "ABI version \(plugin.abi_version), this build speaks \(CERTSSB_TRIGGER_ABI_VERSION)"))
        }
        guard let namePointer = plugin.name else { return .failure(Refused(reason: "missing name (NULL)")) }
        let name = boundedString(namePointer, limit: 64)
        guard isValidName(name) else {
            return .failure(Refused(reason: "bad name \"\(name)\": want 1 to 32 of a-z 0-9 _ -"))
        }
        var missing: [String] = []
        if plugin.supports == nil { missing.append("supports") }
        if plugin.apply == nil { missing.append("apply") }
        guard missing.isEmpty else {
            return .failure(Refused(reason: "plugin '\(name)' has NULL function pointer(s): \(missing.joined(separator: ", "))"))
        }
        return .success((descriptor, name))
    }

    /// [a-z0-9_-]{1,32}, as the ABI header asks.
    static func isValidName(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// At most `limit` bytes, so a name without its NUL cannot run through memory.
    private static func boundedString(_ pointer: UnsafePointer<CChar>, limit: Int) -> String {
        var length = 0
        while length < limit && pointer[length] != 0 { length += 1 }
        let bytes = UnsafeRawPointer(pointer).withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
