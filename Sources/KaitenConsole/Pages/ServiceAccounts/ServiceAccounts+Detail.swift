import Foundation
import Hummingbird
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// `/console/service-accounts/{sa}`: the account's tokens, all, active or revoked, with their scopes, expiry,
/// creator and revoker.
extension ServiceAccountsPages {
    static let tokenStatuses: Set<String> = ["active", "revoked"]

    func detail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let account = try await accountName(console, slug: slug)
        let view = ListQuery(console, path: account.link, sorts: ["created"], defaultDescending: true, filters: ["status": Self.tokenStatuses])
        let rows = try await database.all(
            """
            SELECT t.name, t.slug, t.scopes, t.expires_at, t.created_at, creator.name, t.revoked_date, revoker.name,
                   (t.expires_at IS NOT NULL AND t.expires_at <= now()), (count(*) OVER ())::int
            FROM token t
            JOIN "user" sa ON sa.id = t.service_account_id
            LEFT JOIN "user" creator ON creator.id = COALESCE(t.created_by, t.service_account_id)
            LEFT JOIN "user" revoker ON revoker.id = t.revoked_by
            WHERE t.organization_id = \(console.caller.organizationID) AND sa.organization_id = \(console.caller.organizationID)
              AND sa.type = 'machine' AND sa.slug = \(slug)
              AND (\(view.filters["status"])::text IS NULL
                   OR (\(view.filters["status"]) = 'active' AND t.revoked_date IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()))
                   OR (\(view.filters["status"]) = 'revoked' AND t.revoked_date IS NOT NULL))
            ORDER BY t.created_at \(unescaped: view.direction), t.id
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (String, String, [String], Date?, Date, String?, Date?, String?, Bool, Int).self,
            logger: database.logger
        )
        let canWrite = console.caller.scopes.grants(.write(.tokens))
        let tokens: [[String: Any]] = rows.map { row in
            let revoked = row.6 != nil
            let (status, statusClass) = revoked ? ("Revoked", "revoked") : row.8 ? ("Expired", "warning") : ("Active", "enabled")
            var token: [String: Any] = [
                "name": row.0, "slug": row.1, "scopes": row.2, "hasScopes": !row.2.isEmpty, "expires": row.3.map(Format.date) ?? "Never",
                "created": Format.date(row.4), "createdBy": row.5 ?? "—", "status": status, "statusClass": statusClass,
                "revoke": "\(account.link)/tokens/\(row.1)/revoke",
            ]
            if let revokedAt = row.6 { token["revoked"] = "\(Format.date(revokedAt)) by \(row.7 ?? "—")" }
            if canWrite && !revoked { token["canRevoke"] = true }
            return token
        }
        return Page(
            template: "service-account", title: account.name, section: .serviceAccounts,
            data: [
                "account": ["name": account.name, "slug": account.slug, "newToken": "\(account.link)/tokens/new"],
                "tokens": tokens,
                "empty": tokens.isEmpty,
                "statuses": [(nil, "All"), ("active", "Active"), ("revoked", "Revoked")].map { value, label in
                    [
                        "label": label, "link": view.link(["status": value, "page": "1"]), "current": view.filters["status"] == value,
                    ] as [String: Any]
                },
                "pager": view.pager(total: rows.first?.9 ?? 0),
                "canWrite": canWrite,
            ])
    }

    /// The confirmation before a revoke, naming the token and its account.
    func revocation(_ console: ConsoleRequest, slug: String, token: String) async throws -> Page {
        let account = try await accountName(console, slug: slug)
        return Page(
            template: "token-revoke", title: "Revoke \(token)", section: .serviceAccounts,
            data: [
                "name": token, "action": "\(account.link)/tokens/\(token)/revoke", "cancel": account.link,
                "consequence": "Requests signed with this token of \(account.name) are refused from now on.",
            ])
    }
}
