import CertMath
import CertSigma
import Certify
import Foundation

/// One `certssbd.conf` key: how to read it into the config and how to print it back.
struct ConfigKey: Sendable {
    let name: String
    let apply: @Sendable (inout DaemonConfig, String) throws -> Void
    let render: @Sendable (DaemonConfig) -> String
}

extension ConfigKey {
    /// Every key, in the order etc/certssbd.conf documents them.
    static let all: [ConfigKey] = [
        path("model_set", \.modelSet, allowEmpty: false),
        path("plugin_dir", \.pluginDir, allowEmpty: true),
        path("state_dir", \.stateDir, allowEmpty: false),
        path("watch_dir", \.watchDir, allowEmpty: true),
        ConfigKey(
            name: "socket",
            apply: { config, value in
                guard !value.isEmpty else { throw InvalidValue("must not be empty") }
                // sockaddr_un.sun_path holds 108 bytes including the NUL.
                guard value.utf8.count <= 107 else {
                    throw InvalidValue("socket path is \(value.utf8.count) bytes; a Unix socket path holds at most 107")
                }
                config.socket = value
            }, render: { $0.socket }),
        ConfigKey(
            name: "socket_mode",
            apply: { config, value in
                config.socketMode = try parseOctalMode(value)
            }, render: { "0" + String($0.socketMode, radix: 8) }),
        integer("workers", \.workers, minimum: 0),
        integer("batch_window_ms", \.batchWindowMs, minimum: 0),
        integer("max_batch", \.maxBatch, minimum: 1),
        choice("sigma_rule", \.sigmaRule),
        integer("sigma_steps", \.sigmaSteps, minimum: 0),
        integer("sigma_draws", \.sigmaDraws, minimum: 0),
        ConfigKey(
            name: "alpha",
            apply: { config, value in
                guard let alpha = Double(value), alpha.isFinite else { throw InvalidValue("'\(value)' is not a number") }
                guard alpha > 0, alpha < 1 else { throw InvalidValue("must be in (0, 1), got \(value)") }
                config.alpha = alpha
            }, render: { "\($0.alpha)" }),
        choice("bound", \.bound),
        choice("mode", \.mode),
        ConfigKey(
            name: "target_radius",
            apply: { config, value in
                if value == "none" { config.targetRadius = nil; return }
                guard let target = TargetRadius(value) else {
                    throw InvalidValue("'\(value)' is not none, triggers or a non-negative radius")
                }
                config.targetRadius = target
            }, render: { $0.targetRadius?.description ?? "none" }),
        ConfigKey(
            name: "trigger_reports",
            apply: { config, value in
                switch value.lowercased() {
                case "yes", "true", "on", "1": config.triggerReports = true
                case "no", "false", "off", "0": config.triggerReports = false
                default: throw InvalidValue("'\(value)' is not yes or no")
                }
            }, render: { $0.triggerReports ? "yes" : "no" }),
        ConfigKey(
            name: "max_upload_bytes",
            apply: { config, value in
                let bytes = try parseByteSize(value)
                guard bytes >= 1 else { throw InvalidValue("must be at least 1 byte") }
                config.maxUploadBytes = bytes
            }, render: { "\($0.maxUploadBytes)" }),
        integer("max_pixels", \.maxPixels, minimum: 1),
        integer("max_queue", \.maxQueue, minimum: 1),
        integer("read_timeout_ms", \.readTimeoutMs, minimum: 1),
        integer("request_timeout_ms", \.requestTimeoutMs, minimum: 1),
        choice("log_level", \.logLevel),
        ConfigKey(
            name: "allow_uids", apply: { config, value in config.access.uids = try AccessPolicy.parseList(value) },
            render: { AccessPolicy.render($0.access.uids) }),
        ConfigKey(
            name: "allow_gids", apply: { config, value in config.access.gids = try AccessPolicy.parseList(value) },
            render: { AccessPolicy.render($0.access.gids) }),
    ]

    static let byName: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static func path(_ name: String, _ field: WritableKeyPath<DaemonConfig, String> & Sendable, allowEmpty: Bool) -> ConfigKey {
        ConfigKey(
            name: name,
            apply: { config, value in
                guard allowEmpty || !value.isEmpty else { throw InvalidValue("must not be empty") }
                config[keyPath: field] = value
            }, render: { $0[keyPath: field] })
    }

    static func integer(_ name: String, _ field: WritableKeyPath<DaemonConfig, Int> & Sendable, minimum: Int) -> ConfigKey {
        ConfigKey(
            name: name,
            apply: { config, value in
                guard let number = Int(value.replacingOccurrences(of: "_", with: "")) else {
                    throw InvalidValue("'\(value)' is not an integer")
                }
                guard number >= minimum else { throw InvalidValue("must be at least \(minimum), got \(number)") }
                config[keyPath: field] = number
            }, render: { "\($0[keyPath: field])" })
    }

    static func choice<T: RawRepresentable & CaseIterable>(
        _ name: String, _ field: WritableKeyPath<DaemonConfig, T> & Sendable
    ) -> ConfigKey where T.RawValue == String {
        ConfigKey(
            name: name,
            apply: { config, value in
                guard let parsed = T(rawValue: value) else {
                    let names = T.allCases.map(\.rawValue)
                    var reason = "'\(value)' is not one of \(names.joined(separator: ", "))"
                    if let guess = closestMatch(to: value, in: names) { reason += " (did you mean '\(guess)'?)" }
                    throw InvalidValue(reason)
                }
                config[keyPath: field] = parsed
            }, render: { $0[keyPath: field].rawValue })
    }
}
