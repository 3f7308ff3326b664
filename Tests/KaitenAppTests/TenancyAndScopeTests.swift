import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

@Suite struct TenancyAndScopeTests {
    @Test func anotherOrganizationsCustomerIsNotFoundNeverForbidden() async throws {
        try await TestKaiten.run { kaiten in
            let (_, tokenA) = try await kaiten.organization()
            let (_, tokenB) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.post, "/api/customers", token: tokenA, body: ["name": "Acme", "slug": "acme"]).status == .created)
            let attempts: [(HTTPRequest.Method, [String: JSONValue]?)] = [(.get, nil), (.put, ["name": "Stolen"]), (.delete, nil)]
            for (method, body) in attempts {
                let response = try await kaiten.core.json(method, "/api/customers/acme", token: tokenB, body: body)
                #expect(response.status == .notFound)
                #expect(response.json?["code"]?.stringValue?.hasSuffix(".NotFound") == true)
            }
            let list = try await kaiten.core.json(.get, "/api/customers", token: tokenB)
            #expect(list.json?["items"]?.arrayValue?.isEmpty == true)
            let original = try await kaiten.core.json(.get, "/api/customers/acme", token: tokenA)
            #expect(original.json?["name"] == "Acme")
        }
    }

    @Test func aMissingScopeIs403AfterTheBodyWasValidated() async throws {
        try await TestKaiten.run { kaiten in
            let (_, reader) = try await kaiten.organization(scopes: ["read:customers"])
            let refused = try await kaiten.core.json(.post, "/api/customers", token: reader, body: ["name": "Acme"])
            #expect(refused.status == .forbidden)
            #expect(refused.json?["code"] == "Auth.MissingScope")
            #expect(refused.json?["detail"] == "missing required scope: write:customers")
            let invalid = try await kaiten.core.json(.post, "/api/customers", token: reader, body: ["name": 3])
            #expect(invalid.status == .unprocessableContent)
            #expect(try await kaiten.core.json(.get, "/api/customers", token: reader).status == .ok)
            #expect(try await kaiten.core.json(.get, "/api/service-accounts", token: reader).status == .forbidden)
            #expect(try await kaiten.count("SELECT count(*) FROM customer") == 0)
        }
    }

    @Test func credentialsOfOneListenerAreRefusedOnTheOther() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let platformOnCore = try await kaiten.core.json(.get, "/api/customers", token: kaiten.platformToken.plaintext)
            #expect(platformOnCore.status == .forbidden && platformOnCore.json?["code"] == "Auth.WrongCredentialKind")
            let organizationOnPlatform = try await kaiten.platform.json(.get, "/api/platform/me", token: token)
            #expect(organizationOnPlatform.status == .forbidden && organizationOnPlatform.json?["code"] == "Auth.WrongCredentialKind")
            let missing = try await kaiten.core.json(.get, "/api/customers", token: nil)
            #expect(missing.status == .unauthorized && missing.json?["code"] == "Auth.MissingAuthorizationHeader")
            let unknown = try await kaiten.platform.json(.get, "/api/platform/me", token: "ksm_" + String(repeating: "x", count: 32))
            #expect(unknown.status == .unauthorized && unknown.json?["code"] == "Auth.InvalidPlatformToken")
        }
    }
}

@Suite struct PaginationIntegrationTests {
    @Test func pagesWalkEveryRowOnceEvenWhenTimestampsTie() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let organizationID = UUID(uuidString: organization)!
            try await kaiten.database.client.query(
                """
                INSERT INTO customer (organization_id, name, slug, created_at, updated_at)
                SELECT \(organizationID), 'Customer ' || n, 'customer-' || n, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
                FROM generate_series(1, 7) AS n
                """,
                logger: kaiten.database.logger
            )
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Newest", "slug": "newest"])
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = cursor.map { "?limit=3&cursor=\($0)" } ?? "?limit=3"
                let page = try await kaiten.core.json(.get, "/api/customers\(query)", token: token)
                #expect(page.status == .ok)
                seen += page.json?["items"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } ?? []
                cursor = page.json?["nextCursor"]?.stringValue
                #expect((page.json?["hasMore"] == .bool(true)) == (cursor != nil))
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen.count == 8 && Set(seen).count == 8)
            #expect(seen.first == "newest")
            #expect(pages == 3)
        }
    }
}

@Suite struct PlatformCredentialTests {
    @Test func revokingAPlatformCredentialRevokesWhatItMinted() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.get, "/api/customers", token: token).status == .ok)
            let revoked = try await IdentityTestSupport.revokePlatformToken(kaiten)
            #expect(revoked == 1)
            let after = try await kaiten.core.json(.get, "/api/customers", token: token)
            #expect(after.status == .unauthorized && after.json?["code"] == "Auth.InvalidToken")
            #expect(try await kaiten.platform.json(.get, "/api/platform/me", token: kaiten.platformToken.plaintext).status == .unauthorized)
        }
    }

    @Test func mintingCannotExceedTheCallersScopesAndEnsureIsIdempotent() async throws {
        try await TestKaiten.run { kaiten in
            let narrow = try await IdentityTestSupport.platformToken(kaiten, scopes: [.write(.organizations), .write(.tokens), .read(.customers)])
            let first = try await kaiten.platform.json(
                .post, "/api/platform/organizations", token: narrow, body: ["externalId": "org_same", "name": "Same"])
            let second = try await kaiten.platform.json(
                .post, "/api/platform/organizations", token: narrow, body: ["externalId": "org_same", "name": "Renamed"])
            #expect(first.status == .ok && second.status == .ok)
            #expect(first.json?["id"] == second.json?["id"])
            #expect(second.json?["name"] == "Same")
            #expect(first.json?["id"]?.stringValue == DeterministicIdentifiers.organizationID(externalID: "org_same").lowercased)
            let organization = try #require(first.json?["id"]?.stringValue)
            let escalation = try await kaiten.platform.json(
                .post, "/api/platform/organizations/\(organization)/tokens", token: narrow, body: ["name": "x", "scopes": ["write:customers"]]
            )
            #expect(escalation.status == .forbidden && escalation.json?["code"] == "MintOrganizationToken.ScopesExceedCredential")
            let inherited = try await kaiten.platform.json(
                .post, "/api/platform/organizations/\(organization)/tokens", token: narrow, body: ["name": "y", "ttl": "15m"])
            #expect(inherited.status == .created)
            #expect(inherited.json?["scopes"] == ["write:organizations", "write:tokens", "read:customers"])
            #expect(inherited.json?["slug"]?.stringValue?.hasPrefix("system-kaiten-") == true)
            #expect(inherited.json?["expiresAt"] != nil)
            #expect(try await kaiten.count("SELECT count(*) FROM outbox_events WHERE event_name = 'SYSTEM_ORGANIZATION_TOKEN_ISSUED'") == 1)
        }
    }
}

@Suite struct UnstorableInputTests {
    @Test func valuesThePostgreSQLCannotStoreAre400NotServerErrors() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let nulInName = try await kaiten.core.json(.post, "/api/customers", token: token, rawBody: #"{"name": "a\u0000b"}"#)
            #expect(nulInName.status == .unprocessableContent)
            let nulInPath = try await kaiten.core.json(.get, "/api/customers/a%00b", token: token)
            #expect(nulInPath.status.code < 500)
            #expect(try await kaiten.count("SELECT count(*) FROM customer") == 0)
        }
    }
}
