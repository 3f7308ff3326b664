import Foundation
import Hummingbird
import KaitenCore
import KaitenDeployments
import PostgresNIO

/// `/console/releases/new`: a release from scratch or, with `?base=<release>`, starting from the components of
/// an existing one; its components are picked from the catalog. A release never changes once created.
extension ReleasesPages {
    static let releaseFields: Set<String> = ["version", "slug", "description", "componentIds"]

    func releaseEditor(_ console: ConsoleRequest, baseSlug: String?, typed: FormBody? = nil, failure: FormFailure? = nil) async throws -> Page {
        try console.caller.require(.read(.releases))
        let organization = console.caller.organizationID
        let catalog = try await database.all(
            """
            SELECT c.id, c.name, c.version, c.description, cr.release_id IS NOT NULL
            FROM component c
            LEFT JOIN component_release cr ON cr.component_id = c.id
              AND cr.release_id = (SELECT id FROM release WHERE organization_id = \(organization) AND slug = \(baseSlug))
            WHERE c.organization_id = \(organization)
            ORDER BY c.name, c.created_at DESC
            """,
            as: (UUID, String, String, String?, Bool).self, logger: database.logger)
        let bases = try await database.all(
            "SELECT slug, version FROM release WHERE organization_id = \(organization) ORDER BY created_at DESC, id LIMIT 200",
            as: (String, String).self, logger: database.logger)
        let picked = typed.map { Set($0.values("component")) }
        var data: [String: Any] = [
            "values": typed?.typed ?? ["version": "", "slug": "", "description": ""],
            "bases": bases.map { ["slug": $0.0, "version": $0.1, "selected": $0.0 == baseSlug] as [String: Any] },
            "base": baseSlug ?? "",
            "components": catalog.map { row in
                [
                    "id": row.0.uuidString.lowercased(), "name": row.1, "version": row.2, "description": row.3 ?? "",
                    "checked": picked.map { $0.contains(row.0.uuidString.lowercased()) } ?? row.4,
                ] as [String: Any]
            },
            "hasComponents": !catalog.isEmpty,
        ]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(template: "release-form", title: "New release", section: .releases, data: data, status: failure?.status ?? .ok)
    }

    func createRelease(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        var members: [String: JSONValue] = [
            "version": .string(form["version"] ?? ""), "componentIds": .array(form.values("component").map(JSONValue.string)),
        ]
        if let slug = form.text("slug") { members["slug"] = .string(slug) }
        if let description = form.text("description") { members["description"] = .string(description) }
        return try await console.submit {
            let release = try await deployments.createRelease(try CreateRelease.Command(body: .object(members)), caller: console.caller)
            return console.redirect(to: "/console/releases/\(release.slug)", notice: "Release \(release.version) created.")
        } refused: { error in
            try await releaseEditor(console, baseSlug: form.text("base"), typed: form, failure: FormFailure(error, fields: Self.releaseFields))
        }
    }
}
