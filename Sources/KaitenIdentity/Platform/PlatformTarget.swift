import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The organization a Platform API operation names in its path.
///
/// Platform credentials carry no organization: the target comes from the path only, is checked after the
/// scope, and is 422 when not a UUID, 404 when no such organization exists.
enum PlatformTarget {
    static func uuid(_ text: String, parameter: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw APIError.schemaViolations([
                ErrorDetail(message: "expected string to be RFC 4122 uuid", location: "path.\(parameter)", value: .string(text))
            ])
        }
        return id
    }

    static func existingOrganization(_ text: String, operation: String, database: Database) async throws -> UUID {
        let id = try uuid(text, parameter: "orgId")
        let found = try await database.first("SELECT id FROM organization WHERE id = \(id)", as: UUID.self, logger: database.logger)
        guard found != nil else { throw APIError.notFound("\(operation).OrganizationNotFound", "organization \(id.lowercased) not found") }
        return id
    }
}
