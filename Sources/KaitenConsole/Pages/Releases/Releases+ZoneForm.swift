import Foundation
import Hummingbird
import KaitenCore
import KaitenDeployments
import PostgresNIO

/// The zone form (create and edit), the deploy form (pick a release) and the delete confirmation.
extension ReleasesPages {
    static let zoneFields: Set<String> = ["name", "slug", "type", "description", "metadata"]

    func zoneEditor(_ console: ConsoleRequest, zone: DeploymentZoneResource?, typed: [String: String]? = nil, failure: FormFailure? = nil) -> Page {
        var data: [String: Any] = [
            "creating": zone == nil,
            "action": zone.map { "/console/deployment-zones/\($0.slug)" } ?? "/console/deployment-zones",
            "values": typed ?? [
                "name": zone?.name ?? "", "slug": zone?.slug ?? "", "type": zone?.type ?? "", "description": zone?.description ?? "",
                "metadata": zone.map { JSONValue.object($0.metadata).jsonText } ?? "{}",
            ],
            "cancel": zone.map { "/console/deployment-zones/\($0.slug)" } ?? "/console/deployment-zones",
        ]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "zone-form", title: zone.map { "Edit \($0.name)" } ?? "New deployment zone", section: .deploymentZones, data: data,
            status: failure?.status ?? .ok)
    }

    /// The zone body from the form. Metadata that is not JSON is sent as text, so the API's refusal says what
    /// it expects beside the field; left blank it is an empty object.
    static func zoneBody(_ form: FormBody, creating: Bool) -> JSONValue {
        let metadata = form.text("metadata") ?? "{}"
        var members: [String: JSONValue] = [
            "name": .string(form["name"] ?? ""), "type": .string(form["type"] ?? ""), "description": .string(form["description"] ?? ""),
            "metadata": (try? JSONValue.parse(Array(metadata.utf8))) ?? .string(metadata),
        ]
        if creating, let slug = form.text("slug") { members["slug"] = .string(slug) }
        return .object(members)
    }

    func createZone(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        return try await console.submit {
            let zone = try await deployments.createDeploymentZone(
                try CreateDeploymentZone.Command(body: Self.zoneBody(form, creating: true)), caller: console.caller)
            return console.redirect(to: "/console/deployment-zones/\(zone.slug)", notice: "Deployment zone \(zone.name) created.")
        } refused: { error in
            zoneEditor(console, zone: nil, typed: form.typed, failure: FormFailure(error, fields: Self.zoneFields))
        }
    }

    func updateZone(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let zone = try await deployments.getDeploymentZone(slug: slug, caller: console.caller)
        return try await console.submit {
            try await deployments.updateDeploymentZone(
                slug: slug, try UpdateDeploymentZone.Command(body: Self.zoneBody(form, creating: false)), caller: console.caller)
            return console.redirect(to: "/console/deployment-zones/\(slug)", notice: "Deployment zone \(form["name"] ?? slug) saved.")
        } refused: { error in
            zoneEditor(console, zone: zone, typed: form.typed, failure: FormFailure(error, fields: Self.zoneFields))
        }
    }

    /// `/console/deployment-zones/{slug}/deploy`: the releases to put on the zone, newest first.
    func zoneDeployment(_ console: ConsoleRequest, slug: String, refusal: APIError? = nil) async throws -> Page {
        let zone = try await deployments.getDeploymentZone(slug: slug, caller: console.caller)
        try console.caller.require(.read(.releases))
        let releases = try await database.all(
            """
            SELECT id, version, description FROM release WHERE organization_id = \(console.caller.organizationID)
            ORDER BY created_at DESC, id LIMIT 200
            """,
            as: (UUID, String, String?).self, logger: database.logger)
        var data: [String: Any] = [
            "zone": ["name": zone.name, "slug": zone.slug],
            "releases": releases.map { row in
                let id = row.0.uuidString.lowercased()
                return [
                    "id": id, "label": row.2.map { "\(row.1) — \($0)" } ?? row.1, "current": id == zone.releaseId,
                ] as [String: Any]
            },
            "hasReleases": !releases.isEmpty,
        ]
        data["problem"] = refusal?.detail
        return Page(
            template: "zone-deploy", title: "Deploy to \(zone.name)", section: .deploymentZones, data: data,
            status: refusal.map { HTTPResponse.Status(code: $0.status) } ?? .ok)
    }

    func deployToZone(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        return try await console.submit {
            try await deploy(console, releaseID: form["release"] ?? "", toZone: slug)
            return console.redirect(to: "/console/deployment-zones/\(slug)", notice: "Release deployed to \(slug).")
        } refused: { error in
            try await zoneDeployment(console, slug: slug, refusal: error)
        }
    }

    func zoneDeletion(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let zone = try await deployments.getDeploymentZone(slug: slug, caller: console.caller)
        return Page(
            template: "confirm-delete", title: "Delete \(zone.name)", section: .deploymentZones,
            data: [
                "kind": "deployment zone", "name": zone.name, "action": "/console/deployment-zones/\(slug)/delete",
                "cancel": "/console/deployment-zones/\(slug)",
                "consequence": "The zone and its deployment history are deleted; its instances stay, in no zone.",
            ])
    }
}
