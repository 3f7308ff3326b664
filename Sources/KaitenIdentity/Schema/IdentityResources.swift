import Foundation
import KaitenCore

/// A token's metadata, never its secret.
package struct TokenResource: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
    package let scopes: [String]
    package let serviceAccountId: String
    package let expiresAt: Date?
    package let createdAt: Date
    package let createdBy: UserReference
    package let revokedAt: Date?
    package let revokedBy: UserReference?
}

/// A freshly created token with its plaintext secret, which is shown this once and never again.
package struct PlainTokenResource: Encodable, Sendable {
    package let metadata: TokenResource
    package let token: String

    package func encode(to encoder: any Encoder) throws {
        try metadata.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(token, forKey: .token)
    }

    enum CodingKeys: String, CodingKey { case token }
}

/// A machine identity of an organization and its tokens.
package struct ServiceAccountResource: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
    package let externalId: String
    package let createdBy: UserReference
    package let createdAt: Date
    package let tokens: [TokenResource]
}

/// An organization as the Platform API reports it (snake_case, as the contract has it).
package struct OrganizationResource: Encodable, Sendable {
    package let id: String
    package let externalID: String
    package let name: String

    enum CodingKeys: String, CodingKey {
        case id
        case externalID = "external_id"
        case name
    }
}

/// The calling platform credential, as `GET /platform/me` describes it.
package struct PlatformCredentialResource: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
    package let subject: String
    package let credentialKind: String
    package let scopes: [String]
    package let createdAt: Date
    package let expiresAt: Date?
}

/// The payload of `SYSTEM_ORGANIZATION_TOKEN_ISSUED`.
struct SystemTokenIssuance: Encodable {
    let credentialKind: String
    let platformTokenId: String
    let issuedTokenId: String
    let name: String
    let slug: String
    let scopes: [String]
    let expiresAt: Date?
    let issuedAt: Date
}

package enum IdentityEvents {
    package static let systemOrganizationTokenIssued = EventType(
        name: "SYSTEM_ORGANIZATION_TOKEN_ISSUED",
        type: "com.kaiten.identity.v1.system_token_issued"
    )
}

extension TokenResource: KeysetPaged {}
extension ServiceAccountResource: KeysetPaged {}
