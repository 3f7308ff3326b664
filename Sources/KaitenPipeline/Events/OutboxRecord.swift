import Foundation
import KaitenCore

/// One `outbox_events` row as it travels: what the relay read and what the consumers receive.
public struct OutboxRecord: Sendable, Equatable {
    public let id: UUID
    public let organizationID: UUID
    public let eventName: String
    public let eventType: String
    public let occurredAt: Date
    public let data: JSONValue
    /// Producer headers (`instance_id`) and the W3C trace context of the request that wrote the event.
    public let headers: [String: String]

    public init(id: UUID, organizationID: UUID, eventName: String, eventType: String, occurredAt: Date, data: JSONValue, headers: [String: String]) {
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

    /// Reads a row image, tolerating both encodings Debezium may give a `jsonb` column: a JSON string holding
    /// the document, or the document itself.
    init(rowImage: JSONValue) throws {
        guard case .object(let row) = rowImage else { throw EnvelopeError.malformed("the row image is not an object") }
        func text(_ key: String) throws -> String {
            guard case .string(let value)? = row[key], !value.isEmpty else { throw EnvelopeError.malformed("the row has no \(key)") }
            return value
        }
        func document(_ key: String) throws -> JSONValue? {
            switch row[key] {
            case .string(let text)?:
                guard let value = try? JSONValue.parse(Array(text.utf8)) else { throw EnvelopeError.malformed("\(key) is not JSON") }
                return value
            case .null?, nil:
                return nil
            case let value?:
                return value
            }
        }
        guard let id = UUID(uuidString: try text("id")) else { throw EnvelopeError.malformed("id is not a UUID") }
        guard let organizationID = UUID(uuidString: try text("organization_id")) else {
            throw EnvelopeError.malformed("organization_id is not a UUID")
        }
        let occurredAt: Date
        switch row["occurred_at"] {
        case .string(let text)?:
            guard let date = Timestamp.parse(text) else { throw EnvelopeError.malformed("occurred_at is not RFC 3339") }
            occurredAt = date
        case .integer(let micros)?:
            // Debezium's default time precision writes timestamptz as microseconds since the epoch.
            occurredAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        default:
            throw EnvelopeError.malformed("the row has no occurred_at")
        }
        guard let data = try document("data") else { throw EnvelopeError.malformed("the row has no data") }
        var headers: [String: String] = [:]
        if case .object(let members)? = try document("headers") {
            for (key, value) in members {
                if case .string(let text) = value { headers[key] = text }
            }
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
public enum EnvelopeError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed event envelope: \(reason)"
        }
    }
}
