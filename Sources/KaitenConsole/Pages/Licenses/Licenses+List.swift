import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/licenses`: one section per family with its versions, filtered, sorted and paged by family in one
/// query.
extension LicensesPages {
    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.licenses))
        let view = ListQuery(console, path: "/console/licenses", sorts: ["name", "versions"], filters: ["type": CustomersPages.licenseTypes])
        let familyOrder =
            switch view.sort {
            case "versions": "version_count \(view.direction), family_name, family_id"
            default: "family_name \(view.direction), family_id"
            }
        // A family has no name of its own: it reads as the version it serves (its default, else its newest
        // published one), or its newest version while it serves none.
        let rows = try await database.all(
            """
            WITH versions AS (
              SELECT l.id, l.family_id, f.slug AS family_slug, l.name, l.slug, l.type::text AS type, l.version, l.version_name,
                     l.lifecycle_state::text AS state, l.is_default,
                     first_value(l.name) OVER (PARTITION BY l.family_id
                       ORDER BY l.is_default DESC, l.lifecycle_state = 'PUBLISHED' DESC, l.version DESC) AS family_name,
                     (count(*) OVER (PARTITION BY l.family_id))::int AS version_count,
                     max(l.version) FILTER (WHERE l.is_default) OVER (PARTITION BY l.family_id) AS default_version
              FROM license l JOIN license_family f ON f.id = l.family_id
              WHERE l.organization_id = \(console.caller.organizationID)
            ), matching AS (
              SELECT * FROM versions
              WHERE (\(view.searchPattern)::text IS NULL OR name ILIKE \(view.searchPattern) OR family_name ILIKE \(view.searchPattern)
                     OR version_name ILIKE \(view.searchPattern))
                AND (\(view.filters["type"])::text IS NULL OR type = \(view.filters["type"]))
            ), families AS (
              SELECT family_id, min(family_name) AS family_name, max(version_count) AS version_count, max(default_version) AS default_version,
                     (count(*) OVER ())::int AS total
              FROM matching GROUP BY family_id
            ), page AS (
              SELECT *, row_number() OVER (ORDER BY \(unescaped: familyOrder)) AS position FROM families
              ORDER BY position LIMIT \(view.size) OFFSET \(view.offset)
            )
            SELECT p.family_name, m.family_slug, p.version_count, p.default_version, m.name, m.slug, m.type, m.version, m.version_name,
                   m.state, m.is_default, (SELECT count(*) FROM instance i WHERE i.license_id = m.id)::int, p.total
            FROM page p JOIN matching m ON m.family_id = p.family_id
            ORDER BY p.position, m.version DESC
            """,
            as: (String, String, Int, Int?, String, String, String, Int, String, String, Bool, Int, Int).self,
            logger: database.logger
        )
        let canWrite = console.caller.scopes.grants(.write(.licenses))
        var families: [[String: Any]] = []
        var familySlugs: [String] = []
        var versionsByFamily: [String: [[String: Any]]] = [:]
        for row in rows {
            let familySlug = row.1
            if versionsByFamily[familySlug] == nil {
                familySlugs.append(familySlug)
                var family: [String: Any] = [
                    "name": row.0, "slug": familySlug, "versionCount": row.2, "plural": row.2 != 1,
                    "newVersion": "/console/licenses/new?base=\(row.5)",
                ]
                family["defaultVersion"] = row.3.map { "v\($0)" }
                families.append(family)
                versionsByFamily[familySlug] = []
            }
            let actions = LicenseAction.allCases.filter { $0.applies(state: row.9, isDefault: row.10) }.map { action in
                ["label": action.label, "link": "/console/licenses/\(row.5)/\(action.rawValue)", "name": row.4] as [String: Any]
            }
            versionsByFamily[familySlug]?.append([
                "name": row.4, "link": "/console/licenses/\(row.5)", "version": "v\(row.7)", "versionName": row.8,
                "type": CustomersPages.licenseTypeLabel(row.6), "state": Self.stateLabel(row.9), "stateClass": row.9.lowercased(),
                "isDefault": row.10, "instances": row.11, "actions": canWrite ? actions : [],
                "deletable": canWrite && row.9 == "DRAFT", "deleteLink": "/console/licenses/\(row.5)/delete",
            ])
        }
        for index in families.indices {
            families[index]["versions"] = versionsByFamily[familySlugs[index]] ?? []
        }
        return Page(
            template: "license-list", title: "Licenses", section: .licenses,
            data: [
                "families": families,
                "empty": families.isEmpty,
                "search": view.search ?? "",
                "types": view.options("type", CustomersPages.licenseTypes.sorted().map { ($0, CustomersPages.licenseTypeLabel($0)) }),
                "sorts": [
                    ["label": "Name", "link": view.link(["sort": "name", "dir": "asc", "page": "1"]), "current": view.sort == "name"],
                    [
                        "label": "Most versions", "link": view.link(["sort": "versions", "dir": "desc", "page": "1"]),
                        "current": view.sort == "versions",
                    ],
                ] as [[String: Any]],
                "pager": view.pager(total: rows.first?.12 ?? 0),
                "canWrite": canWrite,
            ])
    }
}
