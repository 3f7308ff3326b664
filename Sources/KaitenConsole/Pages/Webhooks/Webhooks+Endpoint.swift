import Foundation
import Hummingbird
import KaitenCore
import KaitenWebhooks
import PostgresNIO

/// One endpoint as the console shows it.
struct WebhookEndpointRow {
    let id: UUID
    let url: String
    let description: String
    /// nil: every event type.
    let eventTypes: [String]?
    let enabled: Bool
    let throttleRate: Int?
    let disabledReason: String?
    let createdAt: Date

    var link: String { "/console/webhooks/\(id.lowercased)" }

    var events: String {
        guard let eventTypes else { return "All events" }
        return eventTypes.count == 1 ? "1 event" : "\(eventTypes.count) events"
    }

    var data: [String: Any] {
        var data: [String: Any] = [
            "id": id.lowercased, "url": url, "description": description, "events": events, "enabled": enabled,
            "status": enabled ? "Enabled" : "Disabled", "statusClass": enabled ? "enabled" : "disabled",
            "created": Format.date(createdAt), "link": link, "throttle": throttleRate.map { "\($0) per second" } ?? "Unthrottled",
            "eventTypes": eventTypes ?? [], "allEvents": eventTypes == nil,
        ]
        data["disabledReason"] = disabledReason
        return data
    }
}

extension WebhooksPages {
    func endpoint(_ console: ConsoleRequest, id: UUID) async throws -> WebhookEndpointRow {
        try console.caller.require(.read(.webhooks))
        guard
            let row = try await database.first(
                """
                SELECT url, description, event_types, enabled, throttle_rate, disabled_reason, created_at
                FROM webhook_endpoint WHERE organization_id = \(console.caller.organizationID) AND id = \(id)
                """,
                as: (String, String, [String]?, Bool, Int?, String?, Date).self, logger: database.logger)
        else {
            throw APIError.notFound("Console.WebhookEndpointNotFound", "webhook endpoint \"\(id.lowercased)\" not found")
        }
        return WebhookEndpointRow(
            id: id, url: row.0, description: row.1, eventTypes: row.2, enabled: row.3, throttleRate: row.4, disabledReason: row.5, createdAt: row.6)
    }
}
