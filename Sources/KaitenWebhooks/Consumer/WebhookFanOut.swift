import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Records each consumed event as a webhook message, with a pending delivery for every enabled endpoint of
/// its organization whose filter takes the event type — in the worker's inbox transaction, so an event is
/// fanned out exactly once and never lost between the bus and the delivery queue.
struct WebhookFanOut: EventConsumer {
    let name = "webhooks"
    /// Whose "now" the deliveries are due at (see ``DatabaseClock``).
    let clock: any DatabaseClock

    func accepts(_ event: EventType) -> Bool { true }

    func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logger) async throws {
        let body = WebhookPayload.body(event: event.event, data: event.data)
        try await connection.execute(
            """
            WITH message AS (
                INSERT INTO webhook_message (id, organization_id, event_name, event_type, payload)
                VALUES (\(event.id), \(event.organizationID), \(event.event.name), \(event.event.type), \(body))
                ON CONFLICT (id) DO NOTHING
                RETURNING id, sequence
            )
            INSERT INTO webhook_delivery (organization_id, endpoint_id, message_id, sequence, next_attempt_at)
            SELECT e.organization_id, e.id, m.id, m.sequence, COALESCE(\(clock.databaseNow)::timestamptz, now())
            FROM message m
            JOIN webhook_endpoint e ON e.organization_id = \(event.organizationID) AND e.enabled
                                   AND (e.event_types IS NULL OR \(event.event.type) = ANY (e.event_types))
            """,
            logger: logger
        )
    }
}

/// The body every delivery carries: `{name, type, data}`, as the contract's `webhooks:` section shapes it.
enum WebhookPayload {
    static func body(event: EventType, data: JSONValue) -> String {
        JSONValue.object(["name": .string(event.name), "type": .string(event.type), "data": data]).jsonText
    }
}
