import CertStore

/// JSON string literals for the few bodies the daemon writes by hand (error bodies,
/// sidecars): quotes, backslashes and control characters escaped, no Foundation needed.
enum JSONText {
    static func quoted(_ s: String) -> String { CertStore.jsonString(s) }
}
