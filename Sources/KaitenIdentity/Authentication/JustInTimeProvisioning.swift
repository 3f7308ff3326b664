import Foundation
import KaitenCore
import PostgresNIO

/// Provisions the organization, user and membership a verified JWT describes, in one transaction.
///
/// Ids are derived from the external ids (UUID v5), so every replica and the Platform API converge on the
/// same rows. A user or membership that was deleted is never resurrected: such a caller is refused.
struct JustInTimeProvisioning {
    let database: Database

    func provision(_ claims: JWTVerifier.Claims) async throws -> OrganizationCaller {
        let externalOrganizationID = claims.externalOrganizationID.trimmingCharacters(in: .whitespacesAndNewlines)
        let subject = claims.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !externalOrganizationID.isEmpty else {
            throw APIError.validation("Organization.MissingExternalID", "the organization's external id is empty")
        }
        guard !subject.isEmpty else {
            throw APIError.unauthorized("Auth.MissingClaims", "Missing required JWT claims (sub|kaiten_external_org_id|scopes)")
        }
        var scopes: [Scope] = []
        for text in claims.scopes {
            guard let scope = Scope(parsing: text) else { throw APIError.unauthorized("Auth.InvalidScopes", "unknown scope \"\(text)\"") }
            scopes.append(scope)
        }
        let organizationID = DeterministicIdentifiers.organizationID(externalID: externalOrganizationID)
        let userID = DeterministicIdentifiers.userID(subject: subject)
        let email = claims.email ?? "\(subject)@jit.internal"
        let name = claims.name ?? subject
        let logger = database.logger
        return try await database.transaction { connection in
            try await connection.execute(
                """
                INSERT INTO organization (id, external_id, name)
                VALUES (\(organizationID), \(externalOrganizationID), \(claims.organizationName ?? externalOrganizationID))
                ON CONFLICT (external_id) DO UPDATE
                SET name = CASE WHEN \(claims.organizationName)::text IS NULL THEN organization.name ELSE EXCLUDED.name END
                """,
                logger: logger
            )
            let emailOwner = try await connection.first("SELECT id FROM \"user\" WHERE email = \(email)", as: UUID.self, logger: logger)
            if let emailOwner, emailOwner != userID {
                throw APIError.conflict("Auth.EmailAlreadyProvisioned", "Email \"\(email)\" is already provisioned for a different identity")
            }
            let user = try await connection.first(
                """
                INSERT INTO "user" (id, external_id, email, name, type)
                VALUES (\(userID), \(subject), \(email), \(name), 'human')
                ON CONFLICT (external_id) DO UPDATE
                SET email = CASE WHEN \(claims.email)::text IS NULL THEN "user".email ELSE EXCLUDED.email END,
                    name = CASE WHEN \(claims.name)::text IS NULL THEN "user".name ELSE EXCLUDED.name END
                RETURNING id, name, deleted_at
                """,
                as: (UUID, String, Date?).self,
                logger: logger
            )
            guard let user, user.2 == nil else { throw APIError.forbidden("Auth.UserDeleted", "User has been deleted") }
            let membership = try await connection.first(
                """
                WITH inserted AS (
                    INSERT INTO user_on_organization (organization_id, user_id) VALUES (\(organizationID), \(user.0))
                    ON CONFLICT DO NOTHING RETURNING deleted_at
                )
                SELECT deleted_at FROM inserted
                UNION ALL
                SELECT deleted_at FROM user_on_organization WHERE organization_id = \(organizationID) AND user_id = \(user.0)
                LIMIT 1
                """,
                as: Date?.self,
                logger: logger
            )
            if case .some(.some) = membership {
                throw APIError.forbidden("Auth.MembershipDeleted", "User has been removed from the organization")
            }
            return OrganizationCaller(
                organizationID: organizationID,
                organizationExternalID: externalOrganizationID,
                userID: user.0,
                userName: user.1,
                scopes: scopes,
                credential: .jwt,
                expiresAt: nil
            )
        }
    }
}
