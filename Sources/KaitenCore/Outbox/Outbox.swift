import Foundation
import Logging
import PostgresNIO
import Tracing

/// One event to record in `outbox_events`, in the transaction of the write it describes.
package struct OutboxMessage: Sendable {
    package let organizationID: UUID
    package let event: EventType
    package let data: JSONValue
    package let headers: [String: String]
    package let occurredAt: Date?

    /// - Parameters:
    ///   - data: the payload, encoded exactly as webhooks will carry it.
    ///   - headers: producer headers such as `instance_id`; the request's trace context is added on write.
    ///   - occurredAt: overrides the transaction's clock, for events stamped with a report time.
    package init(
        organizationID: UUID,
        event: EventType,
        data: some Encodable,
        headers: [String: String] = [:],
        occurredAt: Date? = nil
    ) throws {
        self.organizationID = organizationID
        self.event = event
        self.data = try WireJSON.value(of: data)
        self.headers = headers
        self.occurredAt = occurredAt
    }
}

/// The transactional outbox: events are rows written with the change they describe, never sent directly.
///
/// A relay later reads them from the WAL (or by polling) and publishes them, so an event exists if and
/// only if its write committed.
package enum Outbox {
    /// Fired once a transaction that wrote outbox rows has committed: the polling relay of the same process
    /// (`kaiten dev`) publishes them at once instead of at its next look.
    package static let committed = WakeSignal()

    /// Inserts the message on `executor`, which must be the transaction's connection.
    ///
    /// The event carries the trace context of an `outbox.publish` span, which the relay's span continues.
    package static func append(_ message: OutboxMessage, on executor: some SQLExecutor, logger: Logger) async throws {
        try await withSpan("outbox.publish", ofKind: .producer) { span in
            span.attributes["kaiten.event_type"] = message.event.type
            let headers = message.headers.merging(TraceContext.outgoing) { producer, _ in producer }
            let headersText: String? = headers.isEmpty ? nil : JSONValue.object(headers.mapValues { .string($0) }).jsonText
            let dataText = message.data.jsonText
            try await executor.execute(
                """
                INSERT INTO outbox_events (organization_id, event_name, event_type, occurred_at, data, headers)
                VALUES (\(message.organizationID), \(message.event.name), \(message.event.type),
                        COALESCE(\(message.occurredAt), now()), \(dataText)::jsonb, \(headersText)::jsonb)
                """,
                logger: logger
            )
            Database.afterCommit { committed.fire() }
        }
    }
}
