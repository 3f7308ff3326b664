import Foundation
import Hummingbird
import KaitenCore
import KaitenDeployments
import PostgresNIO

/// `/console/components`: the catalog grouped by component name, each with its versions and the releases
/// holding them, paged by name in one query; and the form that adds a component version.
extension ReleasesPages {
    static let componentFields: Set<String> = ["name", "version", "description", "slug"]

    func componentList(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.components))
        let view = ListQuery(console, path: "/console/components", sorts: ["name", "versions"])
        let order =
            switch view.sort {
            case "versions": "count(*) \(view.direction), name"
            default: "name \(view.direction)"
            }
        let organization = console.caller.organizationID
        let rows = try await database.all(
            """
            WITH matching AS (
              SELECT c.* FROM component c
              WHERE c.organization_id = \(organization)
                AND (\(view.searchPattern)::text IS NULL OR c.name ILIKE \(view.searchPattern) OR c.version ILIKE \(view.searchPattern))
            ), names AS (
              SELECT name, count(*)::int AS versions, (count(*) OVER ())::int AS total, row_number() OVER (ORDER BY \(unescaped: order)) AS position
              FROM matching GROUP BY name
              ORDER BY position LIMIT \(view.size) OFFSET \(view.offset)
            )
            SELECT n.name, n.versions, c.version, c.slug, c.description, c.created_at, u.name,
                   COALESCE((SELECT array_agg(r.version ORDER BY r.created_at) FROM component_release cr JOIN release r ON r.id = cr.release_id
                             WHERE cr.component_id = c.id), '{}'),
                   n.total
            FROM names n JOIN matching c ON c.name = n.name
            LEFT JOIN "user" u ON u.id = c.created_by_id
            ORDER BY n.position, c.created_at DESC, c.id
            """,
            as: (String, Int, String, String, String?, Date, String?, [String], Int).self, logger: database.logger)
        var groups: [[String: Any]] = []
        var versions: [[[String: Any]]] = []
        for row in rows {
            if groups.last?["name"] as? String != row.0 {
                groups.append(["name": row.0, "versionCount": row.1, "plural": row.1 != 1])
                versions.append([])
            }
            versions[versions.count - 1].append([
                "version": row.2, "slug": row.3, "description": row.4 ?? "—", "created": Format.date(row.5), "createdBy": row.6 ?? "—",
                "releases": row.7.isEmpty ? "None" : row.7.joined(separator: ", "),
            ])
        }
        for index in groups.indices { groups[index]["versions"] = versions[index] }
        return Page(
            template: "component-list", title: "Components", section: .components,
            data: [
                "groups": groups, "empty": groups.isEmpty, "search": view.search ?? "",
                "sorts": [
                    ["label": "Name", "link": view.link(["sort": "name", "dir": "asc", "page": "1"]), "current": view.sort == "name"],
                    [
                        "label": "Most versions", "link": view.link(["sort": "versions", "dir": "desc", "page": "1"]),
                        "current": view.sort == "versions",
                    ],
                ] as [[String: Any]],
                "pager": view.pager(total: rows.first?.8 ?? 0),
                "canWrite": console.caller.scopes.grants(.write(.components)),
            ])
    }

    func componentEditor(_ console: ConsoleRequest, typed: [String: String]? = nil, failure: FormFailure? = nil) -> Page {
        var data: [String: Any] = ["values": typed ?? ["name": console.query("name") ?? "", "version": "", "description": "", "slug": ""]]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(template: "component-form", title: "New component", section: .components, data: data, status: failure?.status ?? .ok)
    }

    func createComponent(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        var members: [String: JSONValue] = ["name": .string(form["name"] ?? ""), "version": .string(form["version"] ?? "")]
        if let slug = form.text("slug") { members["slug"] = .string(slug) }
        if let description = form.text("description") { members["description"] = .string(description) }
        return try await console.submit {
            let component = try await deployments.createComponent(try CreateComponent.Command(body: .object(members)), caller: console.caller)
            return console.redirect(
                to: "/console/components?q=\(component.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                notice: "Component \(component.name) \(component.version) created.")
        } refused: { error in
            componentEditor(console, typed: form.typed, failure: FormFailure(error, fields: Self.componentFields))
        }
    }
}
