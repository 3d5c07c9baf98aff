import Certify

extension Verdict {
    /// The journal fields of a verdict log line, so `journalctl CERTSSB_SHA256=…` finds it
    /// whichever way the image came (callers add CERTSSB_FILE or CERTSSB_SOURCE).
    var journalFields: [String: String] {
        [
            "CERTSSB_SHA256": sha256, "CERTSSB_LABEL": String(label), "CERTSSB_RADIUS": String(radius),
            "CERTSSB_CERTIFIED": String(certified),
        ]
    }
}
