import Certify

// The JSON bodies of the socket's routes, as Codable structs: the key names are the API
// (README "Socket API"), so each struct spells them in its CodingKeys.

/// GET /v1/stats.
struct StatsBody: Encodable {
    var state: String
    var queueDepth: Int
    var verdicts: Int
    var certified: Int
    var rejected: Int
    var busySeconds: Double
    var uptimeSeconds: Double
    var modelSet: String
    var modelSetDirectory: String
    var storeDirectory: String
    var nModels: Int
    var regions: Int

    enum CodingKeys: String, CodingKey {
        case state
        case queueDepth = "queue_depth"
        case verdicts, certified, rejected
        case busySeconds = "busy_seconds"
        case uptimeSeconds = "uptime_seconds"
        case modelSet = "model_set"
        case modelSetDirectory = "model_set_directory"
        case storeDirectory = "store_directory"
        case nModels = "n_models"
        case regions
    }
}

/// GET /v1/verdicts: one page of verdicts in arrival order; `next` is the cursor for `after`.
struct VerdictPageBody: Encodable {
    struct Item: Encodable {
        var seq: UInt64
        var sha256: String
        /// nil (written as `null`) if the arrival has no readable verdict.
        var verdict: Verdict?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(seq, forKey: .seq)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(verdict, forKey: .verdict)  // explicit null, not an absent key
        }

        enum CodingKeys: String, CodingKey { case seq, sha256, verdict }
    }

    var items: [Item]
    var next: UInt64
}

/// GET /v1/triggers: the loaded plugins and the refused files.
struct TriggersBody: Encodable {
    struct Plugin: Encodable {
        var name: String
        var version: String
        var path: String
        var description: String
    }

    struct Refusal: Encodable {
        var path: String
        var reason: String
    }

    var plugins: [Plugin]
    var refused: [Refusal]
}

/// POST /v1/reload.
struct ReloadBody: Encodable {
    var reloaded: Bool
    var modelSet: String
    var restartNeeded: [String]

    enum CodingKeys: String, CodingKey {
        case reloaded
        case modelSet = "model_set"
        case restartNeeded = "restart_needed"
    }
}

/// GET /v1/health: `reasons` only when degraded.
struct HealthBody: Encodable {
    var status: String
    var reasons: [String]?
    var services: [String: String]
}

/// GET /v1/config.
struct ConfigBody: Encodable {
    var config: [String: String]
    var restartNeededKeys: [String]

    enum CodingKeys: String, CodingKey {
        case config
        case restartNeededKeys = "restart_needed_keys"
    }
}

/// GET /v1/version.
struct VersionBody: Encodable {
    var version: String
    var name: String
}
