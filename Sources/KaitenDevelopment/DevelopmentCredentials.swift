import Foundation
import KaitenApp
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// The credentials `kaiten dev` hands out, created once and kept in the data directory.
///
/// Secrets are stored only as digests in the database, so the plaintexts are kept in
/// `<data-dir>/credentials.json` (mode 0600) for a second start to reuse. A saved credential that was
/// revoked meanwhile is replaced.
package struct DevelopmentCredentials: Codable, Sendable {
    package static let organizationExternalID = "kaiten-dev"
    package static let organizationName = "Development"

    package var platformToken: String
    package var platformTokenID: UUID
    package var organizationID: UUID
    package var organizationToken: String
    package var jwtSecret: String

    /// Loads the saved credentials, replacing whatever is missing or no longer active.
    package static func ensure(in directory: URL, jwtSecret: String, database: Database) async throws -> DevelopmentCredentials {
        let saved = load(from: directory)
        let identity = IdentityModule(database: database)
        let organizationID = DeterministicIdentifiers.organizationID(externalID: organizationExternalID)
        try await database.execute(
            """
            INSERT INTO organization (id, external_id, name) VALUES (\(organizationID), \(organizationExternalID), \(organizationName))
            ON CONFLICT (external_id) DO NOTHING
            """,
            logger: database.logger
        )
        let platform: (token: String, id: UUID)
        if let saved, try await identity.isActivePlatformToken(saved.platformToken) {
            platform = (saved.platformToken, saved.platformTokenID)
        } else {
            let issued = try await identity.createPlatformToken(name: "kaiten-dev-\(Slug.generate(from: ""))", scopes: [.writeAll])
            platform = (issued.plaintext, issued.id)
        }
        let organizationToken: String
        if let saved, saved.platformTokenID == platform.id, try await identity.isActiveOrganizationToken(saved.organizationToken) {
            organizationToken = saved.organizationToken
        } else {
            organizationToken = try await identity.mintBootstrapToken(
                organizationID: organizationID,
                name: "kaiten-dev-\(Slug.generate(from: ""))",
                scopes: [.writeAll],
                parent: platform.id
            ).token
        }
        let credentials = DevelopmentCredentials(
            platformToken: platform.token,
            platformTokenID: platform.id,
            organizationID: organizationID,
            organizationToken: organizationToken,
            jwtSecret: saved?.jwtSecret ?? jwtSecret
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let file = directory.appendingPathComponent("credentials.json")
        try encoder.encode(credentials).write(to: file, options: .atomic)
        chmod(file.path, 0o600)
        return credentials
    }

    /// A one-time console sign-in link's secret for the organization token.
    func consoleSignInSecret(database: Database) async throws -> String {
        let tokenID = try await database.first(
            "SELECT id FROM token WHERE lookup_hash = \(SecretToken(plaintext: organizationToken).digest)", as: UUID.self, logger: database.logger)!
        return try await BrowserSessions(database: database).signInLink(forToken: tokenID)
    }

    /// The credentials an earlier start saved, if any.
    static func load(from directory: URL) -> DevelopmentCredentials? {
        let file = directory.appendingPathComponent("credentials.json")
        return (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(DevelopmentCredentials.self, from: $0) }
    }
}
