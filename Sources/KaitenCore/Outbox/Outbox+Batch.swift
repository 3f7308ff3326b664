import Foundation
import Logging
import PostgresNIO

extension Outbox {
    /// Inserts several messages in one statement, in order, on `executor`, which must be the transaction's
    /// connection.
    ///
    /// For writes that emit many events at once (a usage report closing thousands of idle windows): one
    /// round trip instead of one per event.
    package static func append(contentsOf messages: [OutboxMessage], on executor: some SQLExecutor, logger: Logger) async throws {
        guard !messages.isEmpty else { return }
        try await executor.execute("\(outboxInsert: messages)", logger: logger)
    }
}

extension PostgresQuery.StringInterpolation {
    /// `INSERT INTO outbox_events … SELECT …` of `messages`, in order, with the current trace context.
    ///
    /// The outbox write as a clause, for a statement that also writes the change the events describe: the
    /// last clause after a `WITH` of data-modifying statements, so a write that holds a lock does its
    /// change and its events in one round trip.
    ///
    /// Meant for a statement run in a transaction: the relay's wake-up is registered for its commit.
    package mutating func appendInterpolation(outboxInsert messages: [OutboxMessage]) {
        Database.afterCommit { Outbox.committed.fire() }
        let trace = TraceContext.outgoing
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
        appendInterpolation(
            unescaped: """
                INSERT INTO outbox_events (organization_id, event_name, event_type, occurred_at, data, headers)
                SELECT m.organization_id::uuid, m.event_name, m.event_type, COALESCE(NULLIF(m.occurred_at, '')::timestamptz, now()),
                       m.data::jsonb, NULLIF(m.headers, '')::jsonb
                FROM unnest(
                """
        )
        appendInterpolation(organizations)
        appendInterpolation(unescaped: "::text[], ")
        appendInterpolation(names)
        appendInterpolation(unescaped: "::text[], ")
        appendInterpolation(types)
        appendInterpolation(unescaped: "::text[], ")
        appendInterpolation(instants)
        appendInterpolation(unescaped: "::text[], ")
        appendInterpolation(payloads)
        appendInterpolation(unescaped: "::text[], ")
        appendInterpolation(headerTexts)
        appendInterpolation(
            unescaped: """
                ::text[]) WITH ORDINALITY AS m(organization_id, event_name, event_type, occurred_at, data, headers, position)
                ORDER BY m.position
                """
        )
    }
}
