import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Records each consumed event as a webhook message, with a pending delivery for every enabled endpoint of
/// its organization whose filter takes the event type — in the worker's inbox transaction, so an event is
/// fanned out exactly once and never lost between the bus and the delivery queue.
struct WebhookFanOut: EventConsumer {
    let name = "webhooks"
    /// Whose "now" the deliveries are due at (see ``DatabaseClock``), and whose delivery service to wake.
    let configuration: WebhooksConfiguration

    func accepts(_ event: EventType) -> Bool { true }

    func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logger) async throws {
        let body = WebhookPayload.body(event: event.event, data: event.data)
        // The fan-out's own span, which the attempts' spans continue.
        let traceparent = TraceContext(headers: event.headers).handedOn()["traceparent"]
        let queued = try await connection.first(
            """
            WITH message AS (
                INSERT INTO webhook_message (id, organization_id, event_name, event_type, payload, traceparent)
                VALUES (\(event.id), \(event.organizationID), \(event.event.name), \(event.event.type), \(body), \(traceparent))
                ON CONFLICT (id) DO NOTHING
                RETURNING id, sequence
            ), queued AS (
                INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, sequence, next_attempt_at)
                SELECT e.organization_id, e.id, m.id, m.sequence, COALESCE(\(configuration.clock.databaseNow)::timestamptz, now())
                FROM message m
                JOIN webhook_endpoint e ON e.organization_id = \(event.organizationID) AND e.enabled
                                       AND (e.event_types IS NULL OR \(event.event.type) = ANY (e.event_types))
                RETURNING 1
            )
            SELECT count(*)::int FROM queued
            """,
            as: Int.self,
            logger: logger
        )
        if let queued, queued > 0 { configuration.announceDeliveriesOnCommit() }
    }
}

/// The body every delivery carries: `{name, type, data}`, as the contract's `webhooks:` section shapes it.
enum WebhookPayload {
    static func body(event: EventType, data: JSONValue) -> String {
        JSONValue.object(["name": .string(event.name), "type": .string(event.type), "data": data]).jsonText
    }
}
