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
        guard let occurredAt = Self.timestamp(try text("occurred_at")) else {
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

    /// Reads a `timestamptz` in PostgreSQL's ISO output style (`DateStyle` ISO, the server default), e.g.
    /// `2026-11-22 15:00:00.123+00` or `1890-01-01 00:00:00+00:53:28`: the offset may carry minutes and seconds.
    package static func timestamp(_ text: String) -> Date? {
        let pattern = #/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/#
        guard let match = text.wholeMatch(of: pattern), let local = Timestamp.parse("\(match.1)T\(match.2)Z") else { return nil }
        let offset = (Int(match.4) ?? 0) * 3600 + (match.5.flatMap { Int($0) } ?? 0) * 60 + (match.6.flatMap { Int($0) } ?? 0)
        return local.addingTimeInterval(TimeInterval(match.3 == "+" ? -offset : offset))
    }
}
