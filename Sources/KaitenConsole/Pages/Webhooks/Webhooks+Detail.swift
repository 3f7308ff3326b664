import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenWebhooks
import PostgresNIO

/// `/console/webhooks/{id}`: the endpoint, its signing secret masked (shown with `?reveal=secret` to whoever
/// may rotate it), the actions, and its messages with their attempts: three queries whatever the counts.
extension WebhooksPages {
    static let messageStatuses: Set<String> = ["pending", "succeeded", "failed"]
    /// Enough of a receiver's answer to see what went wrong, without filling the page.
    static let responseExcerptLength = 300

    func detail(_ console: ConsoleRequest, id: UUID) async throws -> Page {
        let endpoint = try await endpoint(console, id: id)
        let canWrite = console.caller.scopes.grants(.write(.webhooks))
        let view = ListQuery(console, path: endpoint.link, sorts: ["created"], defaultDescending: true, filters: ["status": Self.messageStatuses])
        let organization = console.caller.organizationID
        let messages = try await database.all(
            """
            SELECT m.id, m.event_name, m.event_type, d.status, d.attempts, d.next_attempt_at, m.created_at, (count(*) OVER ())::int
            FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id
            WHERE d.organization_id = \(organization) AND d.endpoint_id = \(id)
              AND (\(view.filters["status"])::text IS NULL OR d.status = \(view.filters["status"]))
            ORDER BY m.created_at \(unescaped: view.direction), m.id
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (UUID, String, String, String, Int, Date?, Date, Int).self, logger: database.logger)
        let attempts = try await database.all(
            """
            SELECT message_id, attempt_number, trigger, succeeded, response_status, left(response_body, \(Self.responseExcerptLength)::int), error,
                   duration_ms, created_at
            FROM webhook_attempt
            WHERE organization_id = \(organization) AND endpoint_id = \(id) AND message_id = ANY(\(messages.map(\.0)))
            ORDER BY created_at DESC, attempt_number DESC
            """,
            as: (UUID, Int, String, Bool, Int?, String?, String?, Int, Date).self, logger: database.logger)
        let attemptsByMessage = Dictionary(grouping: attempts, by: \.0)
        var data: [String: Any] = [
            "endpoint": endpoint.data,
            "messages": messages.map { row in
                let messageAttempts = attemptsByMessage[row.0] ?? []
                var message: [String: Any] = [
                    "id": row.0.lowercased, "eventName": row.1, "eventType": row.2, "status": row.3.prefix(1).uppercased() + row.3.dropFirst(),
                    "statusClass": Self.statusClass(row.3), "attemptCount": row.4, "created": Format.date(row.6),
                    "retry": "\(endpoint.link)/messages/\(row.0.lowercased)/retry", "canRetry": canWrite,
                    "hasAttempts": !messageAttempts.isEmpty,
                    "attempts": messageAttempts.map { attempt in
                        [
                            "number": attempt.1, "trigger": attempt.2, "result": attempt.3 ? "Succeeded" : "Failed",
                            "resultClass": attempt.3 ? "enabled" : "revoked", "code": attempt.4.map(String.init) ?? "—",
                            "excerpt": attempt.5 ?? attempt.6 ?? "", "duration": "\(attempt.7) ms", "time": Format.date(attempt.8),
                        ] as [String: Any]
                    },
                ]
                message["next"] = row.5.map(Format.date)
                return message
            },
            "emptyMessages": messages.isEmpty,
            "statuses": [(nil, "All"), ("pending", "Pending"), ("succeeded", "Succeeded"), ("failed", "Failed")].map { value, label in
                ["label": label, "link": view.link(["status": value, "page": "1"]), "current": view.filters["status"] == value] as [String: Any]
            },
            "pager": view.pager(total: messages.first?.7 ?? 0),
            "canWrite": canWrite,
            "revealLink": "\(endpoint.link)?reveal=secret",
            "replaySince": Format.day(Date().addingTimeInterval(-24 * 3600)),
        ]
        if canWrite, console.query("reveal") == "secret" {
            data["secret"] = try await database.first(
                "SELECT secret FROM webhook_endpoint WHERE organization_id = \(organization) AND id = \(id)", as: String.self,
                logger: database.logger)
        }
        return Page(template: "webhook", title: endpoint.url, section: .webhooks, data: data)
    }

    static func statusClass(_ status: String) -> String {
        switch status {
        case "succeeded": "enabled"
        case "failed": "revoked"
        default: "warning"
        }
    }

    static let replayFields: Set<String> = ["since"]

    /// Replays the messages recorded since a day; a refusal (a day past the retention) shows on the page.
    func replay(_ console: ConsoleRequest, _ form: FormBody, id: UUID) async throws -> Response {
        let day = form.text("since") ?? ""
        let midnight = "\(day)T00:00:00Z"
        let since = (try? Date(midnight, strategy: .iso8601)) != nil ? midnight : day
        do {
            let replayed = try await webhooks.replay(
                id, try ReplayWebhookEndpoint.Command(body: .object(["since": .string(since)])), caller: console.caller)
            let count = replayed.messages
            return console.redirect(
                to: "/console/webhooks/\(id.lowercased)", notice: "\(count) message\(count == 1 ? "" : "s") queued for delivery again.")
        } catch let error as APIError where error.isCorrectable {
            var page = try await detail(console, id: id)
            page.data.merge(FormFailure(error, fields: Self.replayFields).data) { $1 }
            page.data["replaySince"] = day
            page.status = HTTPResponse.Status(code: error.status)
            return console.render(page)
        }
    }
}
