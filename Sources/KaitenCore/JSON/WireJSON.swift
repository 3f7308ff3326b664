import Foundation

/// The one JSON encoding of everything Kaiten sends: API responses, problems and event payloads.
///
/// Dates are RFC 3339 in UTC with microseconds; absent optionals are omitted.
package enum WireJSON {
    package static func encode(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    /// The value as a ``JSONValue`` tree, for storing it in `jsonb`.
    package static func value(of value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: encode(value))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()
}
