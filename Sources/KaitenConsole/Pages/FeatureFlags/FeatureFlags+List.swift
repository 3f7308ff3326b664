import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/feature-flags`: the organization's figures, then its flags searched, filtered, sorted and paged
/// in SQL: two statements whatever the number of flags.
extension FeatureFlagsPages {
    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.featureFlags))
        let view = ListQuery(
            console, path: "/console/feature-flags", sorts: ["name", "type", "rules"],
            filters: ["type": Set(FlagDraft.types), "enabled": ["true", "false"]])
        let order =
            switch view.sort {
            case "type": "f.type \(view.direction), f.name"
            case "rules": "jsonb_array_length(f.targetings) \(view.direction), f.name"
            default: "f.name \(view.direction), f.id"
            }
        let organizationID = console.caller.organizationID
        let figures =
            try await database.first(
                """
                SELECT count(*)::int, (count(*) FILTER (WHERE enabled))::int, (count(*) FILTER (WHERE NOT enabled))::int,
                       (count(*) FILTER (WHERE jsonb_array_length(targetings) > 0))::int
                FROM feature_flag WHERE organization_id = \(organizationID)
                """,
                as: (Int, Int, Int, Int).self, logger: database.logger) ?? (0, 0, 0, 0)
        let enabledFilter = view.filters["enabled"].map { $0 == "true" }
        let rows = try await database.all(
            """
            SELECT f.name, f.slug, f.type, f.enabled,
                   COALESCE((SELECT array_agg(v.item ->> 'name' ORDER BY v.position)
                             FROM jsonb_array_elements(f.variants) WITH ORDINALITY AS v(item, position)), '{}'),
                   jsonb_array_length(f.targetings), (count(*) OVER ())::int
            FROM feature_flag f
            WHERE f.organization_id = \(organizationID)
              AND (\(view.searchPattern)::text IS NULL OR f.name ILIKE \(view.searchPattern) OR f.slug ILIKE \(view.searchPattern))
              AND (\(view.filters["type"])::text IS NULL OR f.type = \(view.filters["type"]))
              AND (\(enabledFilter)::boolean IS NULL OR f.enabled = \(enabledFilter))
            ORDER BY \(unescaped: order)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (String, String, String, Bool, [String], Int, Int).self,
            logger: database.logger
        )
        let canWrite = console.caller.scopes.grants(.write(.featureFlags))
        let flags: [[String: Any]] = rows.map { row in
            [
                "name": row.0, "slug": row.1, "type": row.2, "enabled": row.3, "variants": row.4, "rules": row.5,
                "link": "/console/feature-flags/\(row.1)", "canWrite": canWrite,
            ]
        }
        return Page(
            template: "flag-list", title: "Feature flags", section: .featureFlags,
            data: [
                "figures": ["total": figures.0, "enabled": figures.1, "disabled": figures.2, "targeted": figures.3],
                "flags": flags,
                "empty": flags.isEmpty,
                "search": view.search ?? "",
                "types": view.options("type", FlagDraft.types.map { ($0, $0) }),
                "states": view.options("enabled", [("true", "Enabled"), ("false", "Disabled")]),
                "columns": [
                    "name": view.column("name", "Name"), "type": view.column("type", "Type"), "rules": view.column("rules", "Targeting"),
                ],
                "pager": view.pager(total: rows.first?.6 ?? 0),
                "canWrite": canWrite,
            ])
    }
}
