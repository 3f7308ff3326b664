import Foundation
import KaitenCore

/// One `outbox_events` row as it travels: what the relay read and what the consumers receive.
package struct OutboxRecord: Sendable, Equatable {
    package let id: UUID
    package let organizationID: UUID
    package let eventName: String
    package let eventType: String
    package let occurredAt: Date
    package let data: JSONValue
    /// Producer headers (`instance_id`) and the W3C trace context of the request that wrote the event.
    package let headers: [String: String]

    package init(id: UUID, organizationID: UUID, eventName: String, eventType: String, occurredAt: Date, data: JSONValue, headers: [String: String]) {
        self.id = id
        self.organizationID = organizationID
        self.eventName = eventName
        self.eventType = eventType
        self.occurredAt = occurredAt
        self.data = data
        self.headers = headers
    }

    /// The row image Debezium writes for an `outbox_events` insert: `data` as a JSON string, `headers` as a
    /// JSON string or null, `occurred_at` as an RFC 3339 string.
    var rowImage: JSONValue {
        .object([
            "id": .string(id.lowercased),
            "organization_id": .string(organizationID.lowercased),
            "event_name": .string(eventName),
            "event_type": .string(eventType),
            "occurred_at": .string(Timestamp.format(occurredAt)),
            "data": .string(data.jsonText),
            "headers": headers.isEmpty ? .null : .string(JSONValue.object(headers.mapValues(JSONValue.string)).jsonText),
        ])
    }

    /// Reads a Debezium row image: a `jsonb` column may come as a JSON string holding the document or as the
    /// document itself, and `occurred_at` as RFC 3339 text or as microseconds since the epoch.
    init(rowImage: JSONValue) throws {
        guard case .object(let row) = rowImage else { throw EnvelopeError.malformed("the row image is not an object") }
        try self.init { column in
            switch row[column] {
            case .string(let text)?: .text(text)
            case .null?, nil: nil
            case let value?: .json(value)
            }
        }
    }

    /// A column as a source gives it: PostgreSQL's text output format, or a JSON value.
    enum Column {
        case text(String)
        case json(JSONValue)
    }

    /// Reads a row from its columns by name: the one decoder of the row images on the bus and of the inserts
    /// streamed from the WAL.
    ///
    /// - Throws: ``EnvelopeError/malformed(_:)`` when a column is missing or unreadable.
    init(columns column: (String) -> Column?) throws {
        func text(_ name: String) throws -> String {
            guard case .text(let value)? = column(name), !value.isEmpty else { throw EnvelopeError.malformed("the row has no \(name)") }
            return value
        }
        func document(_ name: String) throws -> JSONValue? {
            switch column(name) {
            case .text(let text)?:
                guard let value = try? JSONValue.parse(Array(text.utf8)) else { throw EnvelopeError.malformed("\(name) is not JSON") }
                return value
            case .json(let value)?:
                return value
            case nil:
                return nil
            }
        }
        guard let id = UUID(uuidString: try text("id")) else { throw EnvelopeError.malformed("id is not a UUID") }
        guard let organizationID = UUID(uuidString: try text("organization_id")) else {
            throw EnvelopeError.malformed("organization_id is not a UUID")
        }
        let occurredAt: Date
        switch column("occurred_at") {
        case .text(let text)?:
            guard let date = Timestamp.parse(text) ?? Timestamp.parsePostgres(text) else {
                throw EnvelopeError.malformed("occurred_at '\(text)' is neither RFC 3339 nor PostgreSQL's ISO output")
            }
            occurredAt = date
        case .json(.integer(let micros))?:
            // Debezium's default time precision writes timestamptz as microseconds since the epoch.
            occurredAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        default:
            throw EnvelopeError.malformed("the row has no occurred_at")
        }
        guard let data = try document("data") else { throw EnvelopeError.malformed("the row has no data") }
        var headers: [String: String] = [:]
        switch try document("headers") {
        case .object(let members)?: headers = members.compactMapValues(\.stringValue)
        case nil, .null?: break
        default: throw EnvelopeError.malformed("headers is not a JSON object")
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

/// Why a message on the bus could not be read as an outbox event; the consumer dead-letters it with this.
package enum EnvelopeError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    package var description: String {
        switch self {
        case .malformed(let reason): "malformed event envelope: \(reason)"
        }
    }
}
