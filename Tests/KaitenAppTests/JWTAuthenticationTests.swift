import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

@Suite struct JWTAuthenticationTests {
    static let verifier = JWTVerifier(secret: TestKaiten.jwtSecret)

    static func jwt(
        subject: String = "user_123", organization: String = "org_jwt", scopes: [JSONValue] = ["write:*"], extra: [String: JSONValue] = [:]
    ) -> String {
        var claims: [String: JSONValue] = ["sub": .string(subject), "kaiten_external_org_id": .string(organization), "scopes": .array(scopes)]
        claims.merge(extra) { _, new in new }
        return verifier.sign(claims)
    }

    @Test func aVerifiedJWTProvisionsItsUserOrganizationAndMembership() async throws {
        try await TestKaiten.run { kaiten in
            let token = Self.jwt(extra: ["name": "Ada", "email": "ada@example.com", "kaiten_org_name": "Analytical"])
            let created = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
            #expect(created.status == .created)
            #expect(created.json?["createdBy"]?["id"]?.stringValue == DeterministicIdentifiers.userID(subject: "user_123").lowercased)
            #expect(created.json?["createdBy"]?["name"] == "Ada")
            let organization = try await kaiten.database.first(
                "SELECT id, name FROM organization WHERE external_id = 'org_jwt'", as: (UUID, String).self, logger: kaiten.database.logger
            )
            #expect(organization?.0 == DeterministicIdentifiers.organizationID(externalID: "org_jwt"))
            #expect(organization?.1 == "Analytical")
        }
    }

    @Test func aRemovedMembershipIsNotResurrected() async throws {
        try await TestKaiten.run { kaiten in
            let token = Self.jwt()
            #expect(try await kaiten.core.json(.get, "/api/customers", token: token).status == .ok)
            let organization = DeterministicIdentifiers.organizationID(externalID: "org_jwt").lowercased
            let user = DeterministicIdentifiers.userID(subject: "user_123").lowercased
            let removed = try await kaiten.platform.json(
                .delete, "/api/platform/organizations/\(organization)/memberships/\(user)", token: kaiten.platformToken.plaintext)
            #expect(removed.status == .noContent)
            let refused = try await kaiten.core.json(.get, "/api/customers", token: token)
            #expect(refused.status == .forbidden && refused.json?["code"] == "Auth.MembershipDeleted")
        }
    }

    @Test(arguments: [
        ("not.a.jwt", "Auth.InvalidToken"),
        (JWTVerifier(secret: "other").sign(["sub": "u", "kaiten_external_org_id": "o", "scopes": []]), "Auth.InvalidToken"),
        (JWTAuthenticationTests.verifier.sign(["sub": "u", "scopes": []]), "Auth.MissingClaims"),
        (JWTAuthenticationTests.verifier.sign(["sub": "u", "kaiten_external_org_id": "o", "scopes": [1]]), "Auth.InvalidScopes"),
        (JWTAuthenticationTests.verifier.sign(["sub": "u", "kaiten_external_org_id": "o", "scopes": [], "exp": 1]), "Auth.InvalidToken"),
    ])
    func badJWTsAre401WithTheirCode(_ token: String, _ code: String) async throws {
        try await TestKaiten.run { kaiten in
            let response = try await kaiten.core.json(.get, "/api/customers", token: token)
            #expect(response.status == .unauthorized)
            #expect(response.json?["code"]?.stringValue == code)
        }
    }
}
