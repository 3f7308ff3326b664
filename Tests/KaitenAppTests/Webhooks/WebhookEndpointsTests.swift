import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

@testable import KaitenWebhooks

/// The management API under /api/webhooks: endpoints, secrets, event types, and what bad input gets.
@Suite struct WebhookEndpointsTests {
    @Test func anEndpointIsCreatedListedReadReplacedAndDeleted() async throws {
        try await WebhookHarness.run { harness in
            let created = try await harness.kaiten.core.json(
                .post, "/api/webhooks/endpoints", token: harness.token,
                body: ["url": "https://hooks.example.com/kaiten", "description": "billing", "eventTypes": ["com.kaiten.customer.v1.created"]]
            )
            #expect(created.status == .created)
            let secret = try #require(created.json?["secret"]?.stringValue)
            #expect(WebhookSecret(secret)?.key.count == 32)
            #expect(created.json?["enabled"] == .bool(true))
            #expect(created.json?["eventTypes"] == ["com.kaiten.customer.v1.created"])
            #expect(created.json?["throttleRate"] == .null, "unthrottled unless asked")
            let id = try #require(created.json?["id"]?.stringValue)

            let read = try await harness.get("/api/webhooks/endpoints/\(id)")
            #expect(read.status == .ok)
            #expect(read.json?["secret"] == nil)
            #expect(read.json?["url"] == "https://hooks.example.com/kaiten")
            #expect(try await harness.items("/api/webhooks/endpoints").compactMap { $0["id"]?.stringValue } == [id])

            let replaced = try await harness.kaiten.core.json(
                .put, "/api/webhooks/endpoints/\(id)", token: harness.token,
                body: ["url": "https://hooks.example.com/v2", "enabled": false, "throttleRate": 20]
            )
            #expect(replaced.status == .ok)
            #expect(replaced.json?["throttleRate"] == 20)
            #expect(try await harness.get("/api/webhooks/endpoints/\(id)").json?["throttleRate"] == 20)
            #expect(replaced.json?["eventTypes"] == .null)
            #expect(replaced.json?["description"] == "")
            #expect(replaced.json?["enabled"] == .bool(false))
            #expect(replaced.json?["disabledReason"] == "disabled through the API")

            let deleted = try await harness.kaiten.core.json(.delete, "/api/webhooks/endpoints/\(id)", token: harness.token)
            #expect(deleted.status == .noContent)
            let gone = try await harness.get("/api/webhooks/endpoints/\(id)")
            #expect(gone.status == .notFound)
            #expect(gone.json?["code"] == "GetWebhookEndpoint.NotFound")
        }
    }

    @Test func aClientMaySupplyItsOwnWhsecSecretAndRotateWithOverlap() async throws {
        try await WebhookHarness.run { harness in
            let own = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            let created = try await harness.kaiten.core.json(
                .post, "/api/webhooks/endpoints", token: harness.token, body: ["url": "https://hooks.example.com/a", "secret": .string(own)]
            )
            #expect(created.json?["secret"] == .string(own))
            let id = try #require(created.json?["id"]?.stringValue)
            let rotated = try await harness.kaiten.core.json(.post, "/api/webhooks/endpoints/\(id)/secret/rotate", token: harness.token)
            #expect(rotated.status == .ok)
            let next = try #require(rotated.json?["secret"]?.stringValue)
            #expect(next != own && WebhookSecret(next) != nil)
            let expiresAt = try #require(rotated.json?["previousSecretExpiresAt"]?.stringValue.flatMap(Timestamp.parse))
            #expect(abs(expiresAt.timeIntervalSinceNow - 24 * 3600) < 60)
            let refused = try await harness.kaiten.core.json(
                .post, "/api/webhooks/endpoints/\(id)/secret/rotate", token: harness.token, body: ["secret": "sk_live_not_a_webhook_secret"]
            )
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json?["code"] == "RotateWebhookSecret.InvalidSecret")
        }
    }

    @Test func theEventTypesAreTheContractCatalogue() async throws {
        try await WebhookHarness.run { harness in
            let types = try await harness.items("/api/webhooks/event-types")
            #expect(types.count == 55)
            #expect(types.contains(["name": "CUSTOMER_CREATED", "type": "com.kaiten.customer.v1.created"]))
        }
    }

    /// Loopback, private and link-local destinations as an attacker would spell them to slip past a check.
    static let attackerSpellings = [
        "http://localhost./hook", "http://api.localhost./hook", "http://LOCALHOST/hook", "http://LocalHost.:8080/hook",
        "http://localhost.localdomain/hook", "http://ip6-localhost/hook", "http://[::1%25lo]/hook", "http://[fe80::1%25eth0]/hook",
        "http://2130706433/hook", "http://0x7f.1/hook", "http://017700000001/hook", "http://0x7f000001/hook", "http://127.1/hook",
        "http://0177.0.0.1/hook", "http://127.0.0.1./hook", "http://0/hook", "http://0.0.0.0/hook", "http://[::]/hook",
        "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:7f00:1]/hook", "http://[0:0:0:0:0:ffff:7f00:1]/hook", "http://[::127.0.0.1]/hook",
        "http://[2002:7f00:1::]/hook", "http://[64:ff9b::a9fe:a9fe]/hook", "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data",
        "http://2852039166/latest/meta-data", "http://[fd00::1]/hook", "http://[FE80::1]/hook", "http://192.168.1.1:443/hook",
        "https://172.16.0.1/hook", "http://[::1]:8080/hook",
    ]

    static let badInput: [(body: [String: JSONValue], code: String)] =
        [
            (["url": "not a url"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "ftp://hooks.example.com/x"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "https://user:pass@hooks.example.com/x"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "http://"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "https://hooks.example.com", "eventTypes": ["com.kaiten.customer.v1.exploded"]], "CreateWebhookEndpoint.UnknownEventType"),
            (["url": "https://hooks.example.com", "eventTypes": []], "CreateWebhookEndpoint.EmptyEventTypes"),
            (["url": "https://hooks.example.com", "secret": "whsec_c2hvcnQ="], "CreateWebhookEndpoint.InvalidSecret"),
            (["url": "https://hooks.example.com", "secret": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], "CreateWebhookEndpoint.InvalidSecret"),
            (["url": "http://127.0.0.1:8080/hook"], "CreateWebhookEndpoint.ForbiddenDestination"),
            (["url": "http://[::1]/hook"], "CreateWebhookEndpoint.ForbiddenDestination"),
            (["url": "http://169.254.169.254/latest/meta-data"], "CreateWebhookEndpoint.ForbiddenDestination"),
            (["url": "http://10.1.2.3/hook"], "CreateWebhookEndpoint.ForbiddenDestination"),
            (["url": "http://localhost:9000/hook"], "CreateWebhookEndpoint.ForbiddenDestination"),
            (["url": "http://evil.com@127.0.0.1/hook"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "http://127.0.0.1%2f@evil.com/hook"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "http://%6c%6f%63%61%6c%68%6f%73%74/hook"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "http://127.0.0.%31/hook"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "http://1.2.3.999/hook"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "http://hooks.example.com..//hook"], "CreateWebhookEndpoint.InvalidURL"),
            (["url": "https://hooks.example.com", "enabled": "yes"], "UNPROCESSABLE"),
            (["url": "https://hooks.example.com", "headers": [:]], "UNPROCESSABLE"),
            (["url": "https://hooks.example.com", "throttleRate": 0], "UNPROCESSABLE"),
            (["url": "https://hooks.example.com", "throttleRate": 10_001], "UNPROCESSABLE"),
            (["url": "https://hooks.example.com", "throttleRate": 2.5], "UNPROCESSABLE"),
            (["url": "https://hooks.example.com", "throttleRate": "5"], "UNPROCESSABLE"),
            ([:], "UNPROCESSABLE"),
        ] + attackerInput

    static let attackerInput: [(body: [String: JSONValue], code: String)] = attackerSpellings.map { url in
        (body: ["url": JSONValue.string(url)], code: "CreateWebhookEndpoint.ForbiddenDestination")
    }

    @Test(arguments: badInput)
    func badInputIsRefusedWithAStableCodeAndNothingIsStored(body: [String: JSONValue], code: String) async throws {
        var configuration = WebhookHarness.configuration()
        configuration.allowPrivateAddresses = false
        try await WebhookHarness.run(configuration) { harness in
            let answer = try await harness.kaiten.core.json(.post, "/api/webhooks/endpoints", token: harness.token, body: body)
            #expect(answer.status == .unprocessableContent)
            #expect(answer.json?["code"] == .string(code))
            #expect(answer.json?["errorId"] != nil)
            #expect(try await harness.kaiten.count("SELECT count(*) FROM webhook_endpoint") == 0)
        }
    }

    @Test func readScopeListsButCannotChangeAndOtherOrganizationsSeeNothing() async throws {
        try await WebhookHarness.run { harness in
            let (id, _) = try await harness.createEndpoint("https://hooks.example.com/a")
            let (_, reader) = try await harness.kaiten.organization(scopes: ["read:webhooks"])
            let (_, outsider) = try await harness.kaiten.organization()
            let refused = try await harness.kaiten.core.json(
                .post, "/api/webhooks/endpoints", token: reader, body: ["url": "https://hooks.example.com"])
            #expect(refused.status == .forbidden)
            #expect(refused.json?["code"] == "Auth.MissingScope")
            #expect(try await harness.kaiten.core.json(.get, "/api/webhooks/endpoints", token: reader).status == .ok)
            let foreign = try await harness.kaiten.core.json(.get, "/api/webhooks/endpoints/\(id)", token: outsider)
            #expect(foreign.status == .notFound)
            let malformed = try await harness.kaiten.core.json(.delete, "/api/webhooks/endpoints/not-a-uuid", token: harness.token)
            #expect(malformed.status == .notFound)
            #expect(try await harness.kaiten.count("SELECT count(*) FROM webhook_endpoint") == 1)
        }
    }
}

/// The pieces of signing and destination safety, on their own.
@Suite struct WebhookSigningTests {
    @Test func signaturesMatchSvixPublishedVector() throws {
        let secret = try #require(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(
            messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8), secret: secret
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func duringRotationBothSecretsSignAndEveryHeaderIsSentTwice() throws {
        let old = try #require(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let new = WebhookSecret.generate()
        let body = Array("{}".utf8)
        let headers = Dictionary(uniqueKeysWithValues: WebhookSignature.headers(messageID: "m", timestamp: 1, body: body, secrets: [new, old]))
        let signatures = try #require(headers["svix-signature"]).split(separator: " ").map(String.init)
        #expect(
            signatures == [
                WebhookSignature.sign(messageID: "m", timestamp: 1, body: body, secret: new),
                WebhookSignature.sign(messageID: "m", timestamp: 1, body: body, secret: old),
            ])
        #expect(headers["webhook-signature"] == headers["svix-signature"])
        #expect(headers["webhook-id"] == "m" && headers["webhook-timestamp"] == "1")
    }

    @Test func secretsMustBeWhsecWithTwentyFourToSixtyFourBytes() {
        #expect(WebhookSecret("whsec_" + Data(repeating: 7, count: 24).base64EncodedString()) != nil)
        #expect(WebhookSecret("whsec_" + Data(repeating: 7, count: 64).base64EncodedString()) != nil)
        #expect(WebhookSecret("whsec_" + Data(repeating: 7, count: 23).base64EncodedString()) == nil)
        #expect(WebhookSecret("whsec_" + Data(repeating: 7, count: 65).base64EncodedString()) == nil)
        #expect(WebhookSecret("whsec_!!!notbase64") == nil)
        #expect(WebhookSecret.generate().text.hasPrefix("whsec_"))
    }

    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("10.0.0.1", "private"), ("172.20.1.1", "private"), ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"), ("fd00::1", "unique-local"), ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"), ("64:ff9b::10.0.0.1", "private"),
    ])
    func nonPublicAddressesAreNamed(address: String, range: String) throws {
        #expect(try #require(IPAddress(address)).nonPublicRange == range)
    }

    @Test(arguments: WebhookEndpointsTests.attackerSpellings)
    func attackerSpellingsAreRefusedAtDeliveryBeforeAnyConnection(url: String) async throws {
        // What create refuses is refused again at delivery (an endpoint stored while private destinations were
        // allowed, or a rule that changed since): the host, as the sender resolves it.
        guard case .success(let parsed) = WebhookURL.parse(url, allowPrivate: true) else {
            Issue.record("\(url) should parse when private destinations are allowed")
            return
        }
        await #expect(throws: AddressResolver.Failure.self, "\(url)") { try await AddressResolver(allowPrivate: false).resolve(parsed.host) }
    }

    @Test func numericSpellingsResolveToTheAddressTheyName() async throws {
        for host in ["2130706433", "0x7f.1", "017700000001", "127.1", "0x7f000001"] {
            #expect(try await AddressResolver(allowPrivate: true).resolve(host) == .v4([127, 0, 0, 1]), "\(host)")
        }
        #expect(IPAddress(host: "0xa9.0xfe.0xa9.0xfe") == .v4([169, 254, 169, 254]))
        #expect(IPAddress.lenientIPv4("1.2.3.999") == .invalid)
        #expect(IPAddress.lenientIPv4("example.com") == .notNumeric)
        #expect(IPAddress(host: "93.184.216.34")?.nonPublicRange == nil)
        // Public names with the root's dot stay allowed.
        #expect((try? WebhookURL.parse("https://hooks.example.com./x", allowPrivate: false).get()) != nil)
    }

    @Test func publicAddressesPass() throws {
        for address in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "[2001:4860:4860::8888]"] {
            #expect(try #require(IPAddress(address)).nonPublicRange == nil)
        }
        #expect(IPAddress("example.com") == nil)
    }
}
