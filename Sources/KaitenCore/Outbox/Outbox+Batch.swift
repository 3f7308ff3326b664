import Foundation
import Logging
import PostgresNIO

extension Outbox {
    /// Inserts several messages in one statement, in order, on `executor`, which must be the transaction's
    /// connection.
    ///
    /// For writes that emit many events at once (a usage report closing thousands of idle windows) or that
    /// hold a lock while they write: one round trip instead of one per event.
    public static func append(contentsOf messages: [OutboxMessage], on executor: some SQLExecutor, logger: Logger) async throws {
        guard messages.count > 1 else {
            if let message = messages.first { try await append(message, on: executor, logger: logger) }
            return
        }
        let trace = TraceContext.current.headers
        var organizations: [String] = []
        var names: [String] = []
        var types: [String] = []
        var instants: [String] = []
        var payloads: [String] = []
        var headerTexts: [String] = []
        for message in messages {
            let headers = message.headers.merging(trace) { producer, _ in producer }
            organizations.append(message.organizationID.lowercased)
            names.append(message.event.name)
            types.append(message.event.type)
            instants.append(message.occurredAt.map(Timestamp.format) ?? "")
            payloads.append(message.data.jsonText)
            headerTexts.append(headers.isEmpty ? "" : JSONValue.object(headers.mapValues { .string($0) }).jsonText)
        }
        try await executor.execute(
            """
            INSERT INTO outbox_events (organization_id, event_name, event_type, occurred_at, data, headers)
            SELECT m.organization_id::uuid, m.event_name, m.event_type, COALESCE(NULLIF(m.occurred_at, '')::timestamptz, now()),
                   m.data::jsonb, NULLIF(m.headers, '')::jsonb
            FROM unnest(\(organizations)::text[], \(names)::text[], \(types)::text[], \(instants)::text[], \(payloads)::text[],
                        \(headerTexts)::text[]) WITH ORDINALITY AS m(organization_id, event_name, event_type, occurred_at, data, headers, position)
            ORDER BY m.position
            """,
            logger: logger
        )
    }
}
