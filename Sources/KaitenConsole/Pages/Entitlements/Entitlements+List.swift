import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/entitlements`: every entitlement with its groups and how many licenses grant it, searched,
/// filtered, sorted and paged in one query (and one more for the group filter's choices).
extension EntitlementsPages {
    static let types = ["BOOLEAN", "NUMBER", "CONFIG", "NUMBER_AI_CREDIT"]
    static let aggregations = ["SUM", "COUNT", "AVERAGE", "MIN", "MAX", "LATEST"]

    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.entitlements))
        let view = ListQuery(
            console, path: "/console/entitlements", sorts: ["name", "type", "order"],
            filters: ["type": Set(Self.types), "aggregation": Set(Self.aggregations), "group": nil])
        let order =
            switch view.sort {
            case "type": "e.type \(view.direction), e.name"
            case "order": "e.display_order \(view.direction), e.name"
            default: "e.name \(view.direction), e.id"
            }
        let organizationID = console.caller.organizationID
        let groups = try await groupChoices(console)
        let rows = try await database.all(
            """
            SELECT e.name, e.slug, e.description, e.type::text, e.aggregation_method::text,
                   COALESCE(array_agg(g.name ORDER BY g.name) FILTER (WHERE g.id IS NOT NULL), '{}'),
                   (SELECT count(*) FROM license_entitlement le WHERE le.entitlement_id = e.id)::int,
                   (count(*) OVER ())::int
            FROM entitlement e
            LEFT JOIN entitlement_group_membership m ON m.entitlement_id = e.id
            LEFT JOIN entitlement_group g ON g.id = m.entitlement_group_id
            WHERE e.organization_id = \(organizationID)
              AND (\(view.searchPattern)::text IS NULL OR e.name ILIKE \(view.searchPattern) OR e.description ILIKE \(view.searchPattern)
                   OR e.slug ILIKE \(view.searchPattern))
              AND (\(view.filters["type"])::text IS NULL OR e.type::text = \(view.filters["type"]))
              AND (\(view.filters["aggregation"])::text IS NULL OR e.aggregation_method::text = \(view.filters["aggregation"]))
              AND (\(view.filters["group"])::text IS NULL OR EXISTS (
                   SELECT 1 FROM entitlement_group_membership fm JOIN entitlement_group fg ON fg.id = fm.entitlement_group_id
                   WHERE fm.entitlement_id = e.id AND fg.slug = \(view.filters["group"])))
            GROUP BY e.id
            ORDER BY \(unescaped: order)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (String, String, String?, String, String?, [String], Int, Int).self,
            logger: database.logger
        )
        let canWrite = console.caller.scopes.grants(.write(.entitlements))
        let entitlements: [[String: Any]] = rows.map { row in
            [
                "name": row.0, "link": "/console/entitlements/\(row.1)", "description": row.2 ?? "—", "type": Self.label(row.3),
                "aggregation": row.4.map(Self.label) ?? "—", "groups": row.5.joined(separator: ", "), "granted": row.6 > 0, "canWrite": canWrite,
            ]
        }
        return Page(
            template: "entitlement-list", title: "Entitlements", section: .entitlements,
            data: [
                "entitlements": entitlements,
                "empty": entitlements.isEmpty,
                "search": view.search ?? "",
                "types": view.options("type", Self.types.map { ($0, Self.label($0)) }),
                "aggregations": view.options("aggregation", Self.aggregations.map { ($0, Self.label($0)) }),
                "groups": view.options("group", groups.map { ($0.slug, $0.name) }),
                "columns": ["name": view.column("name", "Name"), "type": view.column("type", "Type")],
                "pager": view.pager(total: rows.first?.7 ?? 0),
                "canWrite": canWrite,
            ])
    }

    /// The organization's entitlement groups, by name.
    func groupChoices(_ console: ConsoleRequest) async throws -> [(slug: String, name: String)] {
        try await database.all(
            "SELECT slug, name FROM entitlement_group WHERE organization_id = \(console.caller.organizationID) ORDER BY name, slug",
            as: (String, String).self, logger: database.logger
        ).map { (slug: $0.0, name: $0.1) }
    }
}
