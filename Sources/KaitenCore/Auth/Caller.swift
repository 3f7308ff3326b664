import Foundation

/// A caller whose credential carries scopes.
public protocol ScopedCaller: Sendable {
    var scopes: [Scope] { get }
}

extension ScopedCaller {
    /// Refuses the operation unless the credential grants `scope`.
    public func require(_ scope: Scope) throws {
        guard scopes.grants(scope) else { throw APIError.missingScope(scope) }
    }
}

/// Who is calling the Core API: a member of one organization, authenticated by an organization token or a
/// JWT. Every query a use case runs is scoped by ``organizationID``.
public struct OrganizationCaller: ScopedCaller {
    public enum Credential: Sendable, Equatable {
        /// A `ksh_` token, by its row id.
        case token(UUID)
        /// A JWT from the identity provider.
        case jwt
    }

    public let organizationID: UUID
    public let organizationExternalID: String
    public let userID: UUID
    public let userName: String
    public let scopes: [Scope]
    public let credential: Credential
    /// When the credential stops working, if it expires.
    public let expiresAt: Date?

    public init(
        organizationID: UUID,
        organizationExternalID: String,
        userID: UUID,
        userName: String,
        scopes: [Scope],
        credential: Credential,
        expiresAt: Date?
    ) {
        self.organizationID = organizationID
        self.organizationExternalID = organizationExternalID
        self.userID = userID
        self.userName = userName
        self.scopes = scopes
        self.credential = credential
        self.expiresAt = expiresAt
    }

    /// The reference written into `createdBy`/`updatedBy` of what this caller writes.
    public var actor: UserReference { UserReference(id: userID, name: userName) }
}

/// Who is calling the Platform API: a `ksm_` platform credential, which authenticates `system:kaiten` and
/// carries no organization.
public struct PlatformCaller: ScopedCaller {
    public let tokenID: UUID
    public let name: String
    public let slug: String
    public let scopes: [Scope]
    public let createdAt: Date
    public let expiresAt: Date?

    public init(tokenID: UUID, name: String, slug: String, scopes: [Scope], createdAt: Date, expiresAt: Date?) {
        self.tokenID = tokenID
        self.name = name
        self.slug = slug
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

}

/// `{id, name}`: the user behind an action, as resources report `createdBy` and `updatedBy`.
public struct UserReference: Codable, Sendable, Equatable {
    public let id: UUID
    public let name: String?

    public init(id: UUID, name: String?) {
        self.id = id
        self.name = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercased, forKey: .id)
        try container.encodeIfPresent(name, forKey: .name)
    }
}
