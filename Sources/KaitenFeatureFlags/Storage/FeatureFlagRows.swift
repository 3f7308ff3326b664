import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads feature flags; their definitions are stored as the wire writes them.
enum FeatureFlagRows: OrganizationRows {
    static let alias = "f"
    static let selection = """
        SELECT f.id, f.slug, f.name, f.description, f.type, f.variants::text, f.targetings::text, f.default_variant::text,
               f.metadata::text, f.enabled, f.event_name, f.created_at
        FROM feature_flag f
        """

    typealias Columns = (UUID, String, String, String?, String, String, String, String, String, Bool, String, Date)

    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [FeatureFlagResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            FeatureFlagResource(
                id: row.0.lowercased,
                slug: row.1,
                name: row.2,
                description: row.3,
                type: row.4,
                variants: try JSONValue.parse(Array(row.5.utf8)),
                targetings: try JSONValue.parse(Array(row.6.utf8)),
                defaultVariant: try JSONValue.parse(Array(row.7.utf8)),
                metadata: try JSONValue.parse(Array(row.8.utf8)),
                enabled: row.9,
                eventName: row.10,
                createdAt: row.11
            )
        }
    }

    /// The organization's flag with this slug, locked for the rest of the transaction when `forUpdate`.
    static func find(
        slug: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> FeatureFlagResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE f.organization_id = \(organizationID) AND f.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF f" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }
}

extension FlagDefinition {
    /// The stored (and served) forms of the definition's structured members.
    var storedVariants: String { JSONValue.array(variants.map(\.json)).jsonText }
    var storedTargetings: String { JSONValue.array(targetings.map(\.json)).jsonText }
    var storedDefaultVariant: String { JSONValue.object(defaultVariant.members(valueKey: "value")).jsonText }
    var storedMetadata: String { JSONValue.object(metadata).jsonText }
}
