import Foundation

/// Reads a request body that must be one closed JSON object, collecting every schema violation.
///
/// Each accessor consumes one member; ``finish()`` then refuses any member nobody consumed (every Kaiten
/// request schema is closed) and throws all collected violations at once as a 422 `UNPROCESSABLE` problem,
/// each with its `body.<member>` location. Nothing is thrown before ``finish()``, so a client learns about
/// every mistake in one round trip. When the only violations are timestamps that are valid RFC 3339 but would
/// not read back as sent, the code is `Request.TimestampOutOfRange` instead.
package struct JSONObjectReader {
    private let members: [String: JSONValue]
    private let location: String
    private var consumed: Set<String> = []
    private var violations: [ErrorDetail] = []
    /// Locations of well-formed timestamps refused only because they would not read back as sent.
    private var unrepresentable: Set<String> = []

    package init(_ value: JSONValue, location: String = "body") {
        self.location = location
        if case .object(let members) = value {
            self.members = members
        } else {
            self.members = [:]
            violations.append(ErrorDetail(message: "expected object, got \(value.typeName)", location: location))
        }
    }

    /// Adds a violation found by the caller's own checks.
    package mutating func reject(_ key: String, _ message: String, value: JSONValue? = nil) {
        violations.append(ErrorDetail(message: message, location: path(key), value: value))
    }

    package var hasViolations: Bool { !violations.isEmpty }

    /// Throws every violation collected, and one for each member no accessor read.
    package mutating func finish() throws {
        rejectUnread()
        if !violations.isEmpty, violations.allSatisfy({ unrepresentable.contains($0.location) }) {
            // Valid RFC 3339, so no schema refuses it: a code of its own, not a schema violation.
            throw APIError.unprocessable(
                "Request.TimestampOutOfRange",
                "a timestamp cannot be stored and read back as sent",
                errors: violations.sorted { $0.location < $1.location }
            )
        }
        if !violations.isEmpty { throw APIError.schemaViolations(violations) }
    }

    private mutating func rejectUnread() {
        for key in members.keys.sorted() where !consumed.contains(key) {
            violations.append(ErrorDetail(message: "unexpected property", location: path(key), value: members[key]))
        }
    }

    /// The names of the object's members, sorted.
    package var memberNames: [String] { members.keys.sorted() }

    /// Whether the member is present at all (null counts as present).
    package func contains(_ key: String) -> Bool { members[key] != nil }

    /// The raw member, consumed without checks.
    package mutating func raw(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return members[key]
    }

    /// A string member. Null is refused unless `nullable`, and then reads as nil like an absent member.
    package mutating func string(
        _ key: String,
        required: Bool = false,
        nullable: Bool = false,
        minLength: Int = 0,
        maxLength: Int = 10_000,
        pattern: TextPattern? = nil
    ) -> String? {
        guard let value = take(key, required: required) else { return nil }
        switch value {
        case .null where nullable:
            return nil
        case .string(let text):
            let length = text.count
            if text.unicodeScalars.contains("\u{0}") {
                reject(key, "expected string without NUL characters", value: value)
            } else if length < minLength {
                reject(key, "expected length >= \(minLength)", value: value)
            } else if length > maxLength {
                reject(key, "expected length <= \(maxLength)", value: value)
            } else if let pattern, !pattern.matches(text) {
                reject(key, "expected string to match pattern \(pattern.source)", value: value)
            } else {
                return text
            }
            return nil
        default:
            reject(key, "expected string, got \(value.typeName)", value: value)
            return nil
        }
    }

    /// A slug member: the shared slug pattern and length.
    package mutating func slug(_ key: String = "slug") -> String? {
        string(key, minLength: 2, maxLength: Slug.maximumLength, pattern: .slug)
    }

    /// An array of strings. Null reads as nil when `nullable`.
    package mutating func stringArray(_ key: String, required: Bool = false, nullable: Bool = false, maxItems: Int = 1_000) -> [String]? {
        guard let value = take(key, required: required) else { return nil }
        switch value {
        case .null where nullable:
            return nil
        case .array(let items):
            guard items.count <= maxItems else {
                reject(key, "expected array length <= \(maxItems)", value: value)
                return nil
            }
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    violations.append(ErrorDetail(message: "expected string, got \(item.typeName)", location: "\(path(key))[\(index)]", value: item))
                    continue
                }
                strings.append(text)
            }
            return strings.count == items.count ? strings : nil
        default:
            reject(key, "expected array, got \(value.typeName)", value: value)
            return nil
        }
    }

    /// A boolean member.
    package mutating func boolean(_ key: String, required: Bool = false) -> Bool? {
        guard let value = take(key, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            reject(key, "expected boolean, got \(value.typeName)", value: value)
            return nil
        }
        return flag
    }

    /// A whole number within `range`; `10.0` counts as whole, as JSON Schema's `integer` does. Null reads as nil
    /// when `nullable`.
    package mutating func integer(_ key: String, in range: ClosedRange<Int>, nullable: Bool = false) -> Int? {
        guard let value = take(key, required: false) else { return nil }
        if case .null = value, nullable { return nil }
        guard let number = value.doubleValue, number.rounded() == number, abs(number) < 9.0e15 else {
            reject(key, "expected integer, got \(value.typeName)", value: value)
            return nil
        }
        let integer = Int(number)
        if integer < range.lowerBound {
            reject(key, "expected number >= \(range.lowerBound)", value: value)
            return nil
        }
        if integer > range.upperBound {
            reject(key, "expected number <= \(range.upperBound)", value: value)
            return nil
        }
        return integer
    }

    /// A JSON object member with free-form contents.
    package mutating func object(_ key: String, required: Bool = false) -> [String: JSONValue]? {
        guard let value = take(key, required: required) else { return nil }
        guard case .object(let members) = value else {
            reject(key, "expected object, got \(value.typeName)", value: value)
            return nil
        }
        return members
    }

    /// A member that is itself a closed object, read by `read` with a reader located at the member; what that
    /// reader finds joins this one's violations.
    package mutating func object<Result>(_ key: String, required: Bool = false, _ read: (inout JSONObjectReader) -> Result?) -> Result? {
        guard let value = take(key, required: required) else { return nil }
        return nested(value, location: path(key), read)
    }

    /// An array member whose items are closed objects, each read by `read`; nil when any item is unreadable.
    /// Null reads as nil when `nullable`.
    package mutating func objects<Result>(
        _ key: String, required: Bool = false, nullable: Bool = false, maxItems: Int = 1_000, _ read: (inout JSONObjectReader) -> Result?
    ) -> [Result]? {
        guard let value = take(key, required: required) else { return nil }
        switch value {
        case .null where nullable:
            return nil
        case .array(let items) where items.count <= maxItems:
            let results = items.enumerated().compactMap { index, item in nested(item, location: "\(path(key))[\(index)]", read) }
            return results.count == items.count ? results : nil
        case .array:
            reject(key, "expected array length <= \(maxItems)", value: value)
            return nil
        default:
            reject(key, "expected array, got \(value.typeName)", value: value)
            return nil
        }
    }

    private mutating func nested<Result>(_ value: JSONValue, location: String, _ read: (inout JSONObjectReader) -> Result?) -> Result? {
        var reader = JSONObjectReader(value, location: location)
        let result = reader.hasViolations ? nil : read(&reader)
        reader.rejectUnread()
        violations += reader.violations
        unrepresentable.formUnion(reader.unrepresentable)
        return reader.violations.isEmpty ? result : nil
    }

    /// An RFC 3339 timestamp member.
    package mutating func timestamp(_ key: String, required: Bool = false, nullable: Bool = false) -> Date? {
        guard let value = take(key, required: required) else { return nil }
        if case .null = value, nullable { return nil }
        guard case .string(let text) = value else {
            reject(key, "expected string, got \(value.typeName)", value: value)
            return nil
        }
        guard Timestamp.parse(text) != nil else {
            reject(key, "expected string to be RFC 3339 date-time", value: value)
            return nil
        }
        guard let date = Timestamp.parseStorable(text) else {
            reject(
                key, "expected a date-time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z that can be stored to the microsecond", value: value)
            unrepresentable.insert(path(key))
            return nil
        }
        return date
    }

    private mutating func take(_ key: String, required: Bool) -> JSONValue? {
        consumed.insert(key)
        guard let value = members[key] else {
            if required { reject(key, "expected required property \(key) to be present") }
            return nil
        }
        return value
    }

    private func path(_ key: String) -> String { "\(location).\(key)" }
}
