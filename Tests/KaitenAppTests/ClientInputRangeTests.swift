import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

/// Numbers, durations and instants a client can send that the server cannot carry: each a 422 that changes
/// nothing, never a trap or a 500.
@Suite struct ClientInputRangeTests {
    @Test func aTokenLifetimeBeyondGosLongestDurationIs422() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, _) = try await kaiten.organization()
            let minted = try await kaiten.count("SELECT count(*)::int FROM token")
            for ttl in ["99999999999999h", "2562048h", "9223372037s", "-99999999999999h"] {
                let refused = try await kaiten.platform.json(
                    .post, "/api/platform/organizations/\(organization)/tokens", token: kaiten.platformToken.plaintext,
                    body: ["name": "forever", "ttl": .string(ttl)]
                )
                #expect(refused.status == .unprocessableContent, "\(ttl)")
                #expect(refused.json?["code"] == "MintOrganizationToken.TTLOutOfRange")
                #expect(refused.json?["errors"]?.arrayValue?.first?["location"] == "body.ttl")
            }
            #expect(try await kaiten.count("SELECT count(*)::int FROM token") == minted)
            let longest = try await kaiten.platform.json(
                .post, "/api/platform/organizations/\(organization)/tokens", token: kaiten.platformToken.plaintext,
                body: ["name": "longest", "ttl": "2562047h"]
            )
            #expect(longest.status == .created)
            let expiresAt = try #require(longest.json?["expiresAt"]?.stringValue)
            #expect(expiresAt.hasPrefix("23"), "about 292 years from now: \(expiresAt)")
        }
    }

    @Test func aTokenExpiryThatWouldNotReadBackIs422AndTheLastWholeSecondIsKept() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let account = try await kaiten.core.json(.post, "/api/service-accounts", token: token, body: ["name": "Deployer"])
            let slug = try #require(account.json?["slug"]?.stringValue)
            let tokens = "/api/service-accounts/\(slug)/tokens"
            for expiresAt in ["9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.99Z", "9999-12-31T22:00:00-05:00"] {
                let refused = try await kaiten.core.json(
                    .post, tokens, token: token, body: ["name": "far", "scopes": .null, "expiresAt": .string(expiresAt)])
                #expect(refused.status == .unprocessableContent && refused.json?["code"] == "Request.TimestampOutOfRange", "\(expiresAt)")
                #expect(refused.json?["errors"]?.arrayValue?.first?["location"] == "body.expiresAt")
            }
            #expect(try await kaiten.core.json(.get, tokens, token: token).json?["items"] == .array([]))
            let kept = try await kaiten.core.json(
                .post, tokens, token: token, body: ["name": "last", "scopes": ["read:customers"], "expiresAt": "9999-12-31T23:59:59Z"]
            )
            #expect(kept.status == .created)
            #expect(kept.json?["expiresAt"] == "9999-12-31T23:59:59.000000Z")
            #expect(
                try await kaiten.core.json(.get, tokens, token: token).json?["items"]?.arrayValue?.first?["expiresAt"]
                    == "9999-12-31T23:59:59.000000Z")
        }
    }

    @Test func aServiceAccountTokenWithoutScopesIsRefusedAsTheContractRequiresThem() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let account = try await kaiten.core.json(.post, "/api/service-accounts", token: token, body: ["name": "Deployer"])
            let slug = try #require(account.json?["slug"]?.stringValue)
            let missing = try await kaiten.core.json(.post, "/api/service-accounts/\(slug)/tokens", token: token, body: ["name": "ci"])
            #expect(missing.status == .unprocessableContent && missing.json?["code"] == "UNPROCESSABLE")
            #expect(missing.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["body.scopes"])
            let inherited = try await kaiten.core.json(
                .post, "/api/service-accounts/\(slug)/tokens", token: token, body: ["name": "ci", "scopes": .null])
            #expect(inherited.status == .created)
        }
    }

    @Test(arguments: ["SUM", "AVERAGE", "MAX", "LATEST"])
    func aUsageTotalPastTheLargestNumberIs422AndChangesNothing(_ aggregation: String) async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("tokens", aggregation: aggregation, value: -1)
            _ = try await fixture.instance("prod")
            let set = try await fixture.report("prod", "tokens", 1.7e308, behavior: "set")
            #expect(set.status == .ok)
            let appended = try await fixture.report("prod", "tokens", 1.7e308, behavior: "append")
            if aggregation == "SUM" {
                #expect(appended.status == .unprocessableContent)
                #expect(appended.json?["code"] == "ReportEntitlementUsageMetric.ValueOutOfRange")
                #expect(try await fixture.eventCount("ENTITLEMENT_USAGE_REPORT_ACCEPTED") == 1)
                #expect(try await kaiten.count("SELECT count(*)::int FROM usage_ledger") == 1)
            } else {
                // The mean, the larger and the latest of two finite numbers are finite.
                #expect(appended.status == .ok, "\(appended.json ?? [:])")
                #expect(InstancesFixture.total(appended).0 == 1.7e308)
            }
            let current = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/tokens/usage", token: fixture.token)
            #expect(current.status == .ok)
            #expect(current.json?["value"]?["value"]?.number == 1.7e308)
        }
    }
}
