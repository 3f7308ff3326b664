import Foundation

/// A caller whose credential carries scopes.
package protocol ScopedCaller: Sendable {
    var scopes: [Scope] { get }
}

extension ScopedCaller {
    /// Refuses the operation unless the credential grants `scope`.
    package func require(_ scope: Scope) throws {
        guard scopes.grants(scope) else { throw APIError.missingScope(scope) }
    }
}

/// Who is calling the Core API: a member of one organization, authenticated by an organization token or a
/// JWT. Every query a use case runs is scoped by ``organizationID``.
package struct OrganizationCaller: ScopedCaller {
    package enum Credential: Sendable, Equatable {
        /// A `ksh_` token, by its row id.
        case token(UUID)
        /// A JWT from the identity provider.
        case jwt
    }

    package let organizationID: UUID
    package let organizationExternalID: String
    package let userID: UUID
    package let userName: String
    package let scopes: [Scope]
    package let credential: Credential
    /// When the credential stops working, if it expires.
    package let expiresAt: Date?

    package init(
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
    package var actor: UserReference { UserReference(id: userID, name: userName) }
}

/// Who is calling the Platform API: a `ksm_` platform credential, which authenticates `system:kaiten` and
/// carries no organization.
package struct PlatformCaller: ScopedCaller {
    package let tokenID: UUID
    package let name: String
    package let slug: String
    package let scopes: [Scope]
    package let createdAt: Date
    package let expiresAt: Date?

    package init(tokenID: UUID, name: String, slug: String, scopes: [Scope], createdAt: Date, expiresAt: Date?) {
        self.tokenID = tokenID
        self.name = name
        self.slug = slug
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

}

/// `{id, name}`: the user behind an action, as resources report `createdBy` and `updatedBy`.
package struct UserReference: Codable, Sendable, Equatable {
    package let id: UUID
    package let name: String?

    package init(id: UUID, name: String?) {
        self.id = id
        self.name = name
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercased, forKey: .id)
        try container.encodeIfPresent(name, forKey: .name)
    }
}
