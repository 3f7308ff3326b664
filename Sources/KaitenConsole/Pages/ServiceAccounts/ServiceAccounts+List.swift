import Foundation
import Hummingbird
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// `/console/service-accounts`: one section per account with its token counts, filtered by whether it has
/// active or revoked tokens, in one query; and the create form (a name).
extension ServiceAccountsPages {
    static let tokenFilters: Set<String> = ["active", "revoked"]

    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.tokens))
        let view = ListQuery(console, path: "/console/service-accounts", sorts: ["name", "created"], filters: ["has": Self.tokenFilters])
        let order = view.sort == "created" ? "sa.created_at \(view.direction), sa.id" : "sa.name \(view.direction), sa.id"
        let rows = try await database.all(
            """
            SELECT sa.name, sa.slug, sa.created_at, creator.name,
                   count(t.id)::int,
                   (count(t.id) FILTER (WHERE t.revoked_date IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())))::int,
                   (count(t.id) FILTER (WHERE t.revoked_date IS NOT NULL))::int,
                   (count(*) OVER ())::int
            FROM "user" sa
            LEFT JOIN "user" creator ON creator.id = sa.created_by_id
            LEFT JOIN token t ON t.service_account_id = sa.id AND t.organization_id = sa.organization_id
            WHERE sa.organization_id = \(console.caller.organizationID) AND sa.type = 'machine' AND sa.deleted_at IS NULL
              AND (\(view.searchPattern)::text IS NULL OR sa.name ILIKE \(view.searchPattern) OR sa.slug ILIKE \(view.searchPattern))
            GROUP BY sa.id, creator.name
            HAVING (\(view.filters["has"])::text IS NULL
                    OR (\(view.filters["has"]) = 'active' AND count(t.id) FILTER (WHERE t.revoked_date IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) > 0)
                    OR (\(view.filters["has"]) = 'revoked' AND count(t.id) FILTER (WHERE t.revoked_date IS NOT NULL) > 0))
            ORDER BY \(unescaped: order)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (String, String, Date, String?, Int, Int, Int, Int).self,
            logger: database.logger
        )
        let accounts: [[String: Any]] = rows.map { row in
            [
                "name": row.0, "slug": row.1, "created": Format.date(row.2), "createdBy": row.3 ?? "—", "tokens": row.4,
                "active": row.5, "revoked": row.6, "link": "/console/service-accounts/\(row.1)",
            ]
        }
        return Page(
            template: "service-accounts", title: "Service accounts", section: .serviceAccounts,
            data: [
                "accounts": accounts,
                "empty": accounts.isEmpty,
                "search": view.search ?? "",
                "filters": view.options("has", [("active", "Has active tokens"), ("revoked", "Has revoked tokens")]),
                "sorts": [("name", "Name"), ("created", "Created")].map {
                    ["value": $0.0, "label": $0.1, "selected": view.sort == $0.0] as [String: Any]
                },
                "pager": view.pager(total: rows.first?.7 ?? 0),
                "canWrite": console.caller.scopes.grants(.write(.tokens)),
            ])
    }

    static let accountFields: Set<String> = ["name", "slug"]

    func accountEditor(_ console: ConsoleRequest, typed: [String: String] = [:], failure: FormFailure? = nil) -> Page {
        var data: [String: Any] = ["values": typed]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "service-account-form", title: "New service account", section: .serviceAccounts, data: data, status: failure?.status ?? .ok)
    }

    func createAccount(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        var members: [String: JSONValue] = ["name": .string(form["name"] ?? "")]
        if let slug = form.text("slug") { members["slug"] = .string(slug) }
        return try await console.submit {
            let account = try await identity.createServiceAccount(try ServiceAccountCommand(body: .object(members)), caller: console.caller)
            return console.redirect(to: "/console/service-accounts/\(account.slug)", notice: "Service account \(account.name) created.")
        } refused: { error in
            accountEditor(console, typed: form.typed, failure: FormFailure(error, fields: Self.accountFields))
        }
    }
}
