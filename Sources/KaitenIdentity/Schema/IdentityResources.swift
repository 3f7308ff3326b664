import Foundation
import KaitenCore

/// A token's metadata, never its secret.
public struct TokenResource: Encodable, Sendable {
    public let id: String
    public let name: String
    public let slug: String
    public let scopes: [String]
    public let serviceAccountId: String
    public let expiresAt: Date?
    public let createdAt: Date
    public let createdBy: UserReference
    public let revokedAt: Date?
    public let revokedBy: UserReference?
}

/// A freshly created token with its plaintext secret, which is shown this once and never again.
public struct PlainTokenResource: Encodable, Sendable {
    public let metadata: TokenResource
    public let token: String

    public func encode(to encoder: any Encoder) throws {
        try metadata.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(token, forKey: .token)
    }

    enum CodingKeys: String, CodingKey { case token }
}

/// A machine identity of an organization and its tokens.
public struct ServiceAccountResource: Encodable, Sendable {
    public let id: String
    public let name: String
    public let slug: String
    public let externalId: String
    public let createdBy: UserReference
    public let createdAt: Date
    public let tokens: [TokenResource]
}

/// An organization as the Platform API reports it (snake_case, as the contract has it).
public struct OrganizationResource: Encodable, Sendable {
    public let id: String
    public let externalID: String
    public let name: String

    enum CodingKeys: String, CodingKey {
        case id
        case externalID = "external_id"
        case name
    }
}

/// The calling platform credential, as `GET /platform/me` describes it.
public struct PlatformCredentialResource: Encodable, Sendable {
    public let id: String
    public let name: String
    public let slug: String
    public let subject: String
    public let credentialKind: String
    public let scopes: [String]
    public let createdAt: Date
    public let expiresAt: Date?
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

public enum IdentityEvents {
    public static let systemOrganizationTokenIssued = EventType(
        name: "SYSTEM_ORGANIZATION_TOKEN_ISSUED",
        type: "com.kaiten.identity.v1.system_token_issued"
    )
}

extension TokenResource: KeysetPaged {}
extension ServiceAccountResource: KeysetPaged {}
