import Foundation
import Hummingbird
import KaitenCore
import KaitenDeployments
import PostgresNIO

/// `/console/releases/{slug}`: the release, its components and the zones running it, with Deploy (pick a
/// zone) and Delete, which the API refuses once the release has been deployed.
extension ReleasesPages {
    func releaseDetail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let release = try await deployments.getRelease(slug: slug, caller: console.caller)
        let releaseID = UUID(uuidString: release.id)
        let zones = try await database.all(
            """
            WITH zones AS (\(unescaped: Self.zonesNow(of: console.caller.organizationID)))
            SELECT z.name, z.slug, z.type, z.instances, z.release_id = \(releaseID) AS runs_it, \(unescaped: Self.productionZone) AS production,
                   (SELECT \(unescaped: Self.releaseStatus) FROM (
                      SELECT (count(*) FILTER (WHERE release_id = \(releaseID) AND \(unescaped: Self.productionZone)))::int AS production_zones,
                             (count(*) FILTER (WHERE release_id = \(releaseID)))::int AS running_zones,
                             EXISTS (SELECT 1 FROM deployment WHERE release_id = \(releaseID)) AS ever_deployed
                      FROM zones) facts)
            FROM zones z
            ORDER BY z.name, z.slug
            """,
            as: (String, String, String, Int, Bool?, Bool, String).self, logger: database.logger)
        let running = zones.filter { $0.4 == true }
        // Deleting a zone deletes its deployments, so without zones no release has ever been deployed.
        let status = zones.first?.6 ?? "PLANNED"
        let canDeploy = console.caller.scopes.grants(.write(.deploymentZones))
        return Page(
            template: "release-detail", title: "Release \(release.version)", section: .releases,
            data: [
                "release": [
                    "version": release.version, "slug": release.slug, "description": release.description ?? "—",
                    "status": Self.statusLabel(status), "statusClass": status.lowercased(), "createdAt": Format.date(release.createdAt),
                    "createdBy": release.createdBy.name ?? "—",
                ] as [String: Any],
                "figures": [
                    ["label": "Zones running it", "value": running.count],
                    ["label": "Production zones", "value": running.filter(\.5).count],
                    ["label": "Instances", "value": running.reduce(0) { $0 + $1.3 }],
                ] as [[String: Any]],
                "components": (release.components ?? []).map { component in
                    ["name": component.name, "version": component.version, "description": component.description ?? "—"]
                },
                "hasComponents": !(release.components ?? []).isEmpty,
                "zones": running.map {
                    ["name": $0.0, "link": "/console/deployment-zones/\($0.1)", "type": $0.2, "instances": $0.3] as [String: Any]
                },
                "deployed": !running.isEmpty,
                "targets": zones.filter { $0.4 != true }.map { ["slug": $0.1, "label": "\($0.0) — \($0.2)"] },
                "canDeploy": canDeploy && zones.contains { $0.4 != true },
                "canDelete": console.caller.scopes.grants(.write(.releases)),
            ])
    }

    func deployRelease(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let release = try await deployments.getRelease(slug: slug, caller: console.caller)
        let zoneSlug = form["zone"] ?? ""
        try await deploy(console, releaseID: release.id, toZone: zoneSlug)
        return console.redirect(to: "/console/releases/\(slug)", notice: "Release \(release.version) deployed to \(zoneSlug).")
    }

    /// A deployment is a zone update naming the release: the update replaces the zone's details, so they are
    /// written back as they were read.
    func deploy(_ console: ConsoleRequest, releaseID: String, toZone zoneSlug: String) async throws {
        let zone = try await deployments.getDeploymentZone(slug: zoneSlug, caller: console.caller)
        let body: JSONValue = [
            "name": .string(zone.name), "type": .string(zone.type), "description": .string(zone.description), "metadata": .object(zone.metadata),
            "releaseId": .string(releaseID),
        ]
        try await deployments.updateDeploymentZone(slug: zoneSlug, try UpdateDeploymentZone.Command(body: body), caller: console.caller)
    }

    func releaseDeletion(_ console: ConsoleRequest, slug: String, refusal: APIError? = nil) async throws -> Page {
        let release = try await deployments.getRelease(slug: slug, caller: console.caller)
        var data: [String: Any] = [
            "kind": "release", "name": release.version, "action": "/console/releases/\(slug)/delete", "cancel": "/console/releases/\(slug)",
            "consequence": "The release is deleted; its components stay in the catalog.",
        ]
        data["blocked"] = refusal?.detail
        return Page(
            template: "confirm-delete", title: "Delete release \(release.version)", section: .releases, data: data,
            status: refusal.map { HTTPResponse.Status(code: $0.status) } ?? .ok)
    }

    func deleteRelease(_ console: ConsoleRequest, slug: String) async throws -> Response {
        return try await console.submit {
            try await deployments.deleteRelease(slug: slug, caller: console.caller)
            return console.redirect(to: "/console/releases", notice: "Release \(slug) deleted.")
        } refused: { error in
            try await releaseDeletion(console, slug: slug, refusal: error)
        }
    }
}
