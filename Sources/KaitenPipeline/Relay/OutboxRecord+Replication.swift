import Foundation
import KaitenCore
import PostgresReplication

extension OutboxRecord {
    /// The outbox row of a streamed insert; pgoutput sends every column in PostgreSQL's text output format.
    ///
    /// - Throws: ``EnvelopeError/malformed(_:)`` when a column is missing or unreadable. The relay stops on it
    ///   rather than skip the row: a row it cannot read is a bug to fix, and skipping would lose the event.
    init(insert: ReplicationInsert) throws {
        func text(_ column: String) throws -> String {
            guard let value = insert[column]?.text else { throw EnvelopeError.malformed("the streamed row has no \(column)") }
            return value
        }
        guard let id = UUID(uuidString: try text("id")), let organizationID = UUID(uuidString: try text("organization_id")) else {
            throw EnvelopeError.malformed("the streamed row's id or organization_id is not a UUID")
        }
        guard let occurredAt = Timestamp.parsePostgres(try text("occurred_at")) else {
            throw EnvelopeError.malformed("occurred_at '\(try text("occurred_at"))' is not an ISO timestamptz")
        }
        guard let data = try? JSONValue.parse(Array(try text("data").utf8)) else { throw EnvelopeError.malformed("data is not JSON") }
        var headers: [String: String] = [:]
        if let document = insert["headers"]?.text {
            guard case .object(let members) = try? JSONValue.parse(Array(document.utf8)) else {
                throw EnvelopeError.malformed("headers is not a JSON object")
            }
            headers = members.compactMapValues(\.stringValue)
        }
        self.init(
            id: id,
            organizationID: organizationID,
            eventName: try text("event_name"),
            eventType: try text("event_type"),
            occurredAt: occurredAt,
            data: data,
            headers: headers
        )
    }
}
