import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads messages with the state of their delivery to one endpoint.
enum MessageRows {
    static let selection = """
        SELECT m.id, m.event_name, m.event_type, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, m.created_at, m.payload
        FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id
        """

    typealias Columns = (UUID, String, String, String, Int, Date?, Date?, Date, String)

    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [MessageResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            MessageResource(
                id: row.0.lowercased, eventName: row.1, eventType: row.2, status: row.3, attempts: row.4,
                nextAttemptAt: row.5, lastAttemptAt: row.6, createdAt: row.7,
                payload: (try? JSONValue.parse(Array(row.8.utf8))) ?? .null
            )
        }
    }

    /// The message as delivered to one endpoint.
    static func find(_ messageID: UUID, endpointID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> MessageResource? {
        try await fetch("\(unescaped: selection) WHERE d.endpoint_id = \(endpointID) AND d.message_id = \(messageID)", on: executor, logger: logger)
            .first
    }
}
