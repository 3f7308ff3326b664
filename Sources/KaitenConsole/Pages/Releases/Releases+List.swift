import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/releases`: the status cards and every release with its status, components, zones and instances,
/// filtered, sorted and paged in one query.
extension ReleasesPages {
    func releaseList(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.releases))
        let view = ListQuery(
            console, path: "/console/releases", sorts: ["created", "version", "instances"], defaultDescending: true,
            filters: ["status": Set(Self.statuses)])
        let order =
            switch view.sort {
            case "version": "version \(view.direction), id"
            case "instances": "instances \(view.direction), created_at DESC, id"
            default: "created_at \(view.direction), id"
            }
        let organization = console.caller.organizationID
        let rows = try await database.all(
            """
            WITH zones AS (\(unescaped: Self.zonesNow(of: organization))),
            facts AS (
              SELECT r.id, r.version, r.slug, r.description, r.created_at,
                     (count(z.id) FILTER (WHERE \(unescaped: Self.productionZone)))::int AS production_zones,
                     count(z.id)::int AS running_zones,
                     COALESCE(array_agg(z.name ORDER BY z.name) FILTER (WHERE z.id IS NOT NULL), '{}') AS zones,
                     COALESCE(sum(z.instances), 0)::int AS instances,
                     EXISTS (SELECT 1 FROM deployment d WHERE d.release_id = r.id) AS ever_deployed,
                     (SELECT count(*) FROM component_release cr WHERE cr.release_id = r.id)::int AS components
              FROM release r LEFT JOIN zones z ON z.release_id = r.id
              WHERE r.organization_id = \(organization)
              GROUP BY r.id
            ),
            statuses AS (SELECT *, \(unescaped: Self.releaseStatus) AS status FROM facts)
            SELECT cards.counts, page.version, page.slug, page.description, page.created_at, page.status, page.components, page.zones,
                   page.instances, page.matched
            FROM (
              SELECT ARRAY[count(*), count(*) FILTER (WHERE status = 'DEPLOYED'), count(*) FILTER (WHERE status = 'STAGING'),
                           count(*) FILTER (WHERE status = 'SUPERSEDED'), count(*) FILTER (WHERE status = 'PLANNED')]::int[] AS counts
              FROM statuses
            ) cards
            LEFT JOIN LATERAL (
              SELECT *, (count(*) OVER ())::int AS matched, row_number() OVER (ORDER BY \(unescaped: order)) AS position
              FROM statuses
              WHERE (\(view.searchPattern)::text IS NULL OR version ILIKE \(view.searchPattern))
                AND (\(view.filters["status"])::text IS NULL OR status = \(view.filters["status"]))
              ORDER BY position LIMIT \(view.size) OFFSET \(view.offset)
            ) page ON true
            ORDER BY page.position
            """,
            as: ([Int], String?, String?, String?, Date?, String?, Int?, [String]?, Int?, Int?).self,
            logger: database.logger
        )
        let counts = rows.first?.0 ?? [0, 0, 0, 0, 0]
        let releases: [[String: Any]] = rows.compactMap { row in
            guard let version = row.1, let slug = row.2, let status = row.5 else { return nil }
            let zones = row.7 ?? []
            return [
                "version": version, "link": "/console/releases/\(slug)", "status": Self.statusLabel(status), "statusClass": status.lowercased(),
                "components": row.6 ?? 0, "zones": zones.isEmpty ? "Not deployed" : zones.joined(separator: ", "), "instances": row.8 ?? 0,
                "created": Format.date(row.4), "description": row.3 ?? "—",
            ]
        }
        let cardLinks = [nil] + Self.statuses.map(Optional.some)
        let cardLabels = ["Total", "Deployed", "In staging", "Superseded", "Planned"]
        return Page(
            template: "release-list", title: "Releases", section: .releases,
            data: [
                "figures": zip(cardLabels, zip(counts, cardLinks)).map { label, figure in
                    [
                        "label": label, "value": figure.0,
                        "link": view.link(["status": figure.1, "page": "1"]),
                    ] as [String: Any]
                },
                "releases": releases,
                "empty": releases.isEmpty,
                "search": view.search ?? "",
                "statuses": view.options("status", Self.statuses.map { ($0, Self.statusLabel($0)) }),
                "columns": [
                    "version": view.column("version", "Version"), "instances": view.column("instances", "Instances"),
                    "created": view.column("created", "Created"),
                ],
                "pager": view.pager(total: rows.first?.9 ?? 0),
                "canWrite": console.caller.scopes.grants(.write(.releases)),
            ])
    }
}
