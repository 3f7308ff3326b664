import Foundation

/// A typed entitlement value as the wire carries it, discriminated by `type`.
///
/// `{"type":"number","value":n}` (−1 is unlimited; usage adds `event_count`), `{"type":"boolean","value":b}`
/// or `{"type":"object","value":{…}}`.
package enum EntitlementValue: Sendable, Equatable {
    case number(Double, eventCount: Int64? = nil)
    case boolean(Bool)
    case object([String: JSONValue])

    /// The sentinel a number grant uses for "unlimited".
    package static let unlimited = -1.0

    package var isUnlimited: Bool {
        if case .number(let value, _) = self { return value == Self.unlimited }
        return false
    }

    package var wireType: String {
        switch self {
        case .number: "number"
        case .boolean: "boolean"
        case .object: "object"
        }
    }

    /// The JSON form, as stored in `jsonb` and sent on the wire.
    package var json: JSONValue {
        switch self {
        case .number(let value, let eventCount):
            var members: [String: JSONValue] = ["type": "number", "value": Self.number(value)]
            if let eventCount { members["event_count"] = .integer(eventCount) }
            return .object(members)
        case .boolean(let value):
            return .object(["type": "boolean", "value": .bool(value)])
        case .object(let value):
            return .object(["type": "object", "value": .object(value)])
        }
    }

    /// Reads a typed value; nil when it is not one of the three shapes (or a number carries an event count
    /// where `allowsEventCount` is false).
    package init?(json: JSONValue, allowsEventCount: Bool = false) {
        guard case .object(let members) = json, case .string(let type)? = members["type"], let value = members["value"] else { return nil }
        let allowed: Set<String> = allowsEventCount && type == "number" ? ["type", "value", "event_count"] : ["type", "value"]
        guard Set(members.keys).isSubset(of: allowed) else { return nil }
        switch (type, value) {
        case ("number", let number) where number.doubleValue != nil:
            var eventCount: Int64?
            if let count = members["event_count"] {
                guard case .integer(let integer) = count, integer >= 0 else { return nil }
                eventCount = integer
            }
            self = .number(number.doubleValue!, eventCount: eventCount)
        case ("boolean", .bool(let flag)):
            self = .boolean(flag)
        case ("object", .object(let object)):
            self = .object(object)
        default:
            return nil
        }
    }

    /// A whole number as an integer, so `5.0` is written `5`, as Go writes it.
    static func number(_ value: Double) -> JSONValue {
        if value.rounded() == value, abs(value) < 9.0e15 { return .integer(Int64(value)) }
        return .number(value)
    }
}

extension EntitlementValue: Encodable {
    package func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
