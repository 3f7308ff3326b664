import Foundation
import KaitenCore
import PostgresNIO

/// The licenses granting one entitlement, with what each grants: one statement.
struct EntitlementGrants {
    struct Grant {
        let license: String
        let slug: String
        let licenseType: String
        let value: String
    }

    let grants: [Grant]

    init(slug: String, console: ConsoleRequest, database: Database) async throws {
        let rows = try await database.all(
            """
            SELECT l.name, l.slug, l.type::text, le.value ->> 'type', le.value -> 'value' = 'true'::jsonb,
                   CASE WHEN le.value ->> 'type' = 'number' THEN (le.value ->> 'value')::float8 END
            FROM license_entitlement le
            JOIN license l ON l.id = le.license_id
            JOIN entitlement e ON e.id = le.entitlement_id
            WHERE e.organization_id = \(console.caller.organizationID) AND e.slug = \(slug)
            ORDER BY l.name, l.version
            """,
            as: (String, String, String, String, Bool, Double?).self, logger: database.logger)
        grants = rows.map { row in
            let value =
                switch row.3 {
                case "number": row.5.map { $0 == -1 ? "Unlimited" : Format.number($0) } ?? "—"
                case "boolean": row.4 ? "Enabled" : "Disabled"
                default: "Configured"
                }
            return Grant(license: row.0, slug: row.1, licenseType: EntitlementsPages.label(row.2), value: value)
        }
    }

    var data: [[String: Any]] {
        grants.map { ["license": $0.license, "link": "/console/licenses/\($0.slug)", "type": $0.licenseType, "value": $0.value] }
    }
}
