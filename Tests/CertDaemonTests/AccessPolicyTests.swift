import CertPipeline
import Testing

/// `allow_uids` and `allow_gids`: parsed strictly, open when empty, root always in.
@Suite struct AccessPolicyTests {
    @Test func listsParseAndRenderBack() throws {
        let config = try DaemonConfig().applying(overrides: ["allow_uids": " 1000, 33 ,1000", "allow_gids": ""])
        #expect(config.access.uids == [33, 1000] && config.access.gids.isEmpty)
        #expect(config.effectiveValues.first { $0.key == "allow_uids" }?.value == "33,1000")
        #expect(throws: ConfigError.self) { try DaemonConfig().applying(overrides: ["allow_gids": "staff"]) }
        #expect(throws: ConfigError.self) { try DaemonConfig().applying(overrides: ["allow_uids": "-1"]) }
    }

    @Test func whoIsLetIn() {
        #expect(AccessPolicy().allows(uid: 4242, gid: 4242), "no list: whoever can connect")
        let policy = AccessPolicy(uids: [1000], gids: [27])
        #expect(policy.allows(uid: 1000, gid: 5) && policy.allows(uid: 7, gid: 27) && policy.allows(uid: 0, gid: 0))
        #expect(!policy.allows(uid: 1001, gid: 1001))
    }
}
