import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/webhooks`: the endpoints, searched by URL or description, filtered by status, in one query.
extension WebhooksPages {
    static let statuses: Set<String> = ["enabled", "disabled"]

    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.webhooks))
        let view = ListQuery(
            console, path: "/console/webhooks", sorts: ["created", "url"], defaultDescending: true, filters: ["status": Self.statuses])
        let order = view.sort == "url" ? "e.url \(view.direction), e.id" : "e.created_at \(view.direction), e.id"
        let enabled = view.filters["status"].map { $0 == "enabled" }
        let rows = try await database.all(
            """
            SELECT e.id, e.url, e.description, e.event_types, e.enabled, e.throttle_rate, e.disabled_reason, e.created_at,
                   (count(*) OVER ())::int
            FROM webhook_endpoint e
            WHERE e.organization_id = \(console.caller.organizationID)
              AND (\(view.searchPattern)::text IS NULL OR e.url ILIKE \(view.searchPattern) OR e.description ILIKE \(view.searchPattern))
              AND (\(enabled)::boolean IS NULL OR e.enabled = \(enabled))
            ORDER BY \(unescaped: order)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (UUID, String, String, [String]?, Bool, Int?, String?, Date, Int).self,
            logger: database.logger
        )
        let endpoints = rows.map { row in
            WebhookEndpointRow(
                id: row.0, url: row.1, description: row.2, eventTypes: row.3, enabled: row.4, throttleRate: row.5, disabledReason: row.6,
                createdAt: row.7
            ).data
        }
        return Page(
            template: "webhooks", title: "Webhooks", section: .webhooks,
            data: [
                "endpoints": endpoints,
                "empty": endpoints.isEmpty,
                "search": view.search ?? "",
                "statuses": view.options("status", [("enabled", "Enabled"), ("disabled", "Disabled")]),
                "columns": ["url": view.column("url", "URL"), "created": view.column("created", "Created")],
                "pager": view.pager(total: rows.first?.8 ?? 0),
                "canWrite": console.caller.scopes.grants(.write(.webhooks)),
            ])
    }
}
