import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads the connector registry, and each organization's activations and settings of its connectors.
enum ConnectorRows {
    /// Reverse-DNS under `kaiten.` as Kaiten checks a connector name in a path: lowercase labels of letters,
    /// digits and `-`, after trimming and lowercasing.
    static let pathNamePattern = TextPattern("^kaiten(\\.[a-z0-9][a-z0-9-]*)+$")

    /// The connector name of a path, normalized, or the operation's 400.
    static func name(_ raw: String, operation: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard pathNamePattern.matches(name) else {
            throw APIError.validation(
                "\(operation).InvalidConnectorName", "a connector name is lowercase reverse-DNS starting with \"kaiten.\", got \"\(raw)\"")
        }
        return name
    }

    private static let selection = "SELECT name, version, settings_schema::text, entitlement_slug, created_at, updated_at FROM connector"

    private static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [ConnectorResource] {
        try await executor.all(query, as: (String, String, String, String?, Date, Date).self, logger: logger).map { row in
            ConnectorResource(
                name: row.0,
                version: row.1,
                settingsSchema: (try? JSONValue.parse(Array(row.2.utf8)))?.objectValue ?? [:],
                entitlementSlug: row.3,
                createdAt: row.4,
                updatedAt: row.5
            )
        }
    }

    /// Every registered connector, by name.
    static func all(on executor: some SQLExecutor, logger: Logger) async throws -> [ConnectorResource] {
        try await fetch("\(unescaped: selection) ORDER BY name", on: executor, logger: logger)
    }

    /// The connector registered under this name, if any.
    static func find(name: String, on executor: some SQLExecutor, logger: Logger) async throws -> ConnectorResource? {
        try await fetch("\(unescaped: selection) WHERE name = \(name)", on: executor, logger: logger).first
    }

    /// The connector registered under this name, or a 404 with `notFoundCode`.
    static func registered(name: String, notFoundCode: String, on executor: some SQLExecutor, logger: Logger) async throws -> ConnectorResource {
        guard let connector = try await find(name: name, on: executor, logger: logger) else {
            throw APIError.notFound(notFoundCode, "connector \"\(name)\" is not registered in this deployment")
        }
        return connector
    }

    /// When the organization activated the connector, if it has.
    static func activatedAt(name: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> Date? {
        try await executor.first(
            "SELECT activated_at FROM organization_connector WHERE organization_id = \(organizationID) AND connector_name = \(name)",
            as: Date.self,
            logger: logger
        )
    }

    /// Whether the organization's licenses grant the BOOLEAN entitlement a gated connector names: a published
    /// license of the organization grants an entitlement of that slug with the value true. An ungated connector
    /// is granted to everyone.
    static func isEntitled(
        to connector: ConnectorResource, organizationID: UUID, on executor: some SQLExecutor, logger: Logger
    ) async throws
        -> Bool
    {
        guard let slug = connector.entitlementSlug else { return true }
        return try await executor.first(
            """
            SELECT EXISTS (
                SELECT 1 FROM license_entitlement le
                JOIN license l ON l.id = le.license_id
                JOIN entitlement e ON e.id = le.entitlement_id
                WHERE le.organization_id = \(organizationID) AND e.slug = \(slug) AND e.type = 'BOOLEAN'
                  AND l.lifecycle_state = 'PUBLISHED' AND le.value -> 'value' = 'true'::jsonb)
            """,
            as: Bool.self,
            logger: logger
        ) ?? false
    }

    /// The organization's stored settings of the connector, secrets included.
    static func settings(name: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> [String: JSONValue]? {
        try await executor.first(
            "SELECT settings::text FROM connector_settings WHERE organization_id = \(organizationID) AND connector_name = \(name)",
            as: String.self,
            logger: logger
        ).flatMap { (try? JSONValue.parse(Array($0.utf8)))?.objectValue }
    }
}
