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
            case "instances": "instances \(view.direction), c.name"
            case "created": "c.created_at \(view.direction), c.name"
            default: "c.name \(view.direction), c.id"
            }
        let rows = try await database.client.all(
            """
            SELECT c.name, c.slug, c.external_customer_id, c.domain, count(i.id)::int AS instances,
                   COALESCE(array_agg(DISTINCT l.type::text) FILTER (WHERE l.type IS NOT NULL), '{}'),
                   (count(*) OVER ())::int
            FROM customer c
            LEFT JOIN instance i ON i.customer_id = c.id
            LEFT JOIN license l ON l.id = i.license_id
            WHERE c.organization_id = \(console.caller.organizationID)
              AND (\(view.searchPattern)::text IS NULL OR c.name ILIKE \(view.searchPattern) OR c.external_customer_id ILIKE \(view.searchPattern)
                   OR c.domain ILIKE \(view.searchPattern))
              AND (\(view.filters["licenseType"])::text IS NULL OR EXISTS (
                   SELECT 1 FROM instance fi JOIN license fl ON fl.id = fi.license_id
                   WHERE fi.customer_id = c.id AND fl.type::text = \(view.filters["licenseType"])))
            GROUP BY c.id
            ORDER BY \(unescaped: order)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (String, String, String?, String?, Int, [String], Int).self,
            logger: database.logger
        )
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
                "licenseTypes": Self.licenseTypes.sorted().map {
                    ["value": $0, "label": Self.licenseTypeLabel($0), "selected": view.filters["licenseType"] == $0] as [String: Any]
                },
                "columns": ["name": view.column("name", "Name"), "instances": view.column("instances", "Instances")],
                "pager": view.pager(total: rows.first?.6 ?? 0),
                "canWrite": console.caller.scopes.grants(.write(.customers)),
            ])
    }

    static func licenseTypeLabel(_ type: String) -> String { type.prefix(1) + type.dropFirst().lowercased() }
}
