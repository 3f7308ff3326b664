import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/customers`: every customer with its instance count and the license types it holds, searched,
/// filtered, sorted and paged in one query.
extension CustomersPages {
    static let licenseTypes: Set<String> = ["DEVELOPMENT", "TRIAL", "PAID", "COMMUNITY"]

    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.customers))
        let view = ListQuery(
            console, path: "/console/customers", sorts: ["name", "instances", "created"],
            filters: ["licenseType": Self.licenseTypes])
        let order =
            switch view.sort {
            case "instances": "m.instances \(view.direction), m.name, m.id"
            case "created": "m.created_at \(view.direction), m.id"
            default: "m.name \(view.direction), m.id"
            }
        // Instances are counted for every matching customer in one pass (the sort may need them); license types
        // only for the page shown.
        let found = try await database.all(
            """
            WITH matching AS (
                SELECT c.id, c.name, c.slug, c.external_customer_id, c.domain, c.created_at, COALESCE(counted.instances, 0)::int AS instances
                FROM customer c
                LEFT JOIN (SELECT customer_id, count(*) AS instances FROM instance WHERE organization_id = \(console.caller.organizationID)
                           GROUP BY customer_id) counted ON counted.customer_id = c.id
                WHERE c.organization_id = \(console.caller.organizationID)
                  AND (\(view.searchPattern)::text IS NULL OR c.name ILIKE \(view.searchPattern)
                       OR c.external_customer_id ILIKE \(view.searchPattern) OR c.domain ILIKE \(view.searchPattern))
                  AND (\(view.filters["licenseType"])::text IS NULL OR c.id IN (
                       SELECT fi.customer_id FROM instance fi JOIN license fl ON fl.id = fi.license_id
                       WHERE fi.organization_id = \(console.caller.organizationID) AND fl.type::text = \(view.filters["licenseType"])))
            ), shown AS (
                SELECT m.*, row_number() OVER (ORDER BY \(unescaped: order)) AS position
                FROM matching m ORDER BY position LIMIT \(view.size) OFFSET \(view.offset)
            )
            SELECT shown.name, shown.slug, shown.external_customer_id, shown.domain, shown.instances, types.licenses,
                   (SELECT count(*)::int FROM matching)
            FROM (VALUES (1)) AS always
            LEFT JOIN shown ON true
            LEFT JOIN LATERAL (
                SELECT COALESCE(array_agg(DISTINCT l.type::text), '{}') AS licenses
                FROM instance i JOIN license l ON l.id = i.license_id WHERE i.customer_id = shown.id
            ) types ON shown.id IS NOT NULL
            ORDER BY shown.position
            """,
            as: (String?, String?, String?, String?, Int?, [String]?, Int).self,
            logger: database.logger
        )
        // An empty page is one row of the total alone.
        let total = found.first?.6 ?? 0
        let rows = found.compactMap { row -> (String, String, String?, String?, Int, [String])? in
            guard let name = row.0, let slug = row.1 else { return nil }
            return (name, slug, row.2, row.3, row.4 ?? 0, row.5 ?? [])
        }
        let customers: [[String: Any]] = rows.map { row in
            [
                "name": row.0, "slug": row.1, "externalCustomerId": row.2 ?? "—", "domain": row.3 ?? "—",
                "instances": row.4, "hasInstances": row.4 > 0, "licenseTypes": row.5.map(Self.licenseTypeLabel).joined(separator: ", "),
                "link": "/console/customers/\(row.1)",
            ]
        }
        return Page(
            template: "customers", title: "Customers", section: .customers,
            data: [
                "customers": customers,
                "empty": customers.isEmpty,
                "search": view.search ?? "",
                "licenseTypes": view.options("licenseType", Self.licenseTypes.sorted().map { ($0, Self.licenseTypeLabel($0)) }),
                "columns": ["name": view.column("name", "Name"), "instances": view.column("instances", "Instances")],
                "pager": view.pager(total: total),
                "canWrite": console.caller.scopes.grants(.write(.customers)),
            ])
    }

    static func licenseTypeLabel(_ type: String) -> String { type.prefix(1) + type.dropFirst().lowercased() }
}
