import Foundation
import Hummingbird
import KaitenCore
import KaitenDeployments
import PostgresNIO

/// `/console/deployment-zones` and a zone's page: the zones with the release each runs now, and on a zone's
/// page its peers, the other zones on the same release.
extension ReleasesPages {
    func zoneList(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.deploymentZones))
        let view = ListQuery(console, path: "/console/deployment-zones", sorts: ["name", "instances", "created", "updated"])
        let order =
            switch view.sort {
            case "instances": "z.instances \(view.direction), z.name, z.id"
            case "created": "z.created_at \(view.direction), z.id"
            case "updated": "z.updated_at \(view.direction), z.id"
            default: "z.name \(view.direction), z.id"
            }
        let organization = console.caller.organizationID
        let rows = try await database.all(
            """
            WITH zones AS (\(unescaped: Self.zonesNow(of: organization)))
            SELECT cards.total, cards.production, cards.instances, cards.deployments,
                   page.name, page.slug, page.type, page.metadata::text, page.release_version, page.release_slug, page.instances,
                   page.created_at, page.updated_at, page.matched
            FROM (
              SELECT count(*)::int AS total, (count(*) FILTER (WHERE \(unescaped: Self.productionZone)))::int AS production,
                     COALESCE(sum(instances), 0)::int AS instances,
                     (SELECT count(*) FROM deployment WHERE organization_id = \(organization))::int AS deployments
              FROM zones
            ) cards
            LEFT JOIN LATERAL (
              SELECT z.*, r.version AS release_version, r.slug AS release_slug, (count(*) OVER ())::int AS matched,
                     row_number() OVER (ORDER BY \(unescaped: order)) AS position
              FROM zones z LEFT JOIN release r ON r.id = z.release_id
              WHERE \(view.searchPattern)::text IS NULL OR z.name ILIKE \(view.searchPattern) OR z.type ILIKE \(view.searchPattern)
              ORDER BY position LIMIT \(view.size) OFFSET \(view.offset)
            ) page ON true
            ORDER BY page.position
            """,
            as: (Int, Int, Int, Int, String?, String?, String?, String?, String?, String?, Int?, Date?, Date?, Int?).self,
            logger: database.logger)
        let canWrite = console.caller.scopes.grants(.write(.deploymentZones))
        let zones: [[String: Any]] = rows.compactMap { row in
            guard let name = row.4, let slug = row.5 else { return nil }
            var zone: [String: Any] = [
                "name": name, "link": "/console/deployment-zones/\(slug)", "slug": slug, "type": row.6 ?? "",
                "metadata": row.7 == "{}" ? "—" : row.7 ?? "—", "release": row.8 ?? "None", "instances": row.10 ?? 0,
                "created": Format.date(row.11), "updated": Format.date(row.12), "canWrite": canWrite,
            ]
            zone["releaseLink"] = row.9.map { "/console/releases/\($0)" }
            return zone
        }
        let cards = rows.first
        return Page(
            template: "zone-list", title: "Deployment zones", section: .deploymentZones,
            data: [
                "figures": [
                    ["label": "Zones", "value": cards?.0 ?? 0], ["label": "Production zones", "value": cards?.1 ?? 0],
                    ["label": "Instances in zones", "value": cards?.2 ?? 0], ["label": "Deployments", "value": cards?.3 ?? 0],
                ] as [[String: Any]],
                "zones": zones, "empty": zones.isEmpty, "search": view.search ?? "",
                "columns": [
                    "name": view.column("name", "Name"), "instances": view.column("instances", "Instances"),
                    "created": view.column("created", "Created"), "updated": view.column("updated", "Updated"),
                ],
                "pager": view.pager(total: cards?.13 ?? 0),
                "canWrite": canWrite,
            ])
    }

    func zoneDetail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let zone = try await deployments.getDeploymentZone(slug: slug, caller: console.caller)
        let organization = console.caller.organizationID
        let rows = try await database.all(
            """
            WITH zones AS (\(unescaped: Self.zonesNow(of: organization)))
            SELECT z.name, z.slug, z.type, z.instances, z.slug = \(slug), r.version, r.slug
            FROM zones z LEFT JOIN release r ON r.id = z.release_id
            WHERE z.slug = \(slug) OR z.release_id = (SELECT release_id FROM zones WHERE slug = \(slug))
            ORDER BY z.name, z.slug
            """,
            as: (String, String, String, Int, Bool, String?, String?).self, logger: database.logger)
        let own = rows.first { $0.4 }
        let peers = rows.filter { !$0.4 }
        let canWrite = console.caller.scopes.grants(.write(.deploymentZones))
        var details: [String: Any] = [
            "name": zone.name, "slug": zone.slug, "type": zone.type, "description": zone.description.isEmpty ? "—" : zone.description,
            "metadata": zone.metadata.isEmpty ? "—" : JSONValue.object(zone.metadata).jsonText, "instances": own?.3 ?? 0,
            "createdAt": Format.date(zone.createdAt), "createdBy": zone.createdBy.name ?? "—", "updatedAt": Format.date(zone.updatedAt),
            "updatedBy": zone.updatedBy.name ?? "—", "release": own?.5 ?? "None",
        ]
        details["releaseLink"] = own?.6.map { "/console/releases/\($0)" }
        return Page(
            template: "zone-detail", title: zone.name, section: .deploymentZones,
            data: [
                "zone": details,
                "peers": peers.map { ["name": $0.0, "link": "/console/deployment-zones/\($0.1)", "type": $0.2, "instances": $0.3] as [String: Any] },
                "hasPeers": !peers.isEmpty,
                "hasRelease": own?.5 != nil,
                "canWrite": canWrite,
            ])
    }
}
