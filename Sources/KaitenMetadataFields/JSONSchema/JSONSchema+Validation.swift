import KaitenCore

/// One way a value fails a schema.
struct SchemaViolation: Sendable, Equatable {
    /// Where inside the validated value, written the way problem locations are: empty for the value itself,
    /// then `.member` and `[index]` steps.
    let path: String
    let message: String
}

extension JSONSchema {
    /// Every way `value` fails this schema; empty when it is valid.
    func violations(of value: JSONValue) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        check(value, at: "", into: &found)
        return found
    }

    func accepts(_ value: JSONValue) -> Bool {
        violations(of: value).isEmpty
    }

    private func check(_ value: JSONValue, at path: String, into found: inout [SchemaViolation]) {
        if let verdict {
            if !verdict { found.append(SchemaViolation(path: path, message: "no value is allowed here")) }
            return
        }
        if let types, !types.contains(where: value.isInstance) {
            let names = types.map(\.rawValue).sorted().joined(separator: " or ")
            found.append(SchemaViolation(path: path, message: "expected \(names), got \(value.typeName)"))
        }
        if let allowedValues, !allowedValues.contains(where: value.jsonEquals) {
            let names = allowedValues.map(\.jsonText).joined(separator: ", ")
            found.append(SchemaViolation(path: path, message: "expected one of [\(names)]"))
        }
        if let constant, !constant.jsonEquals(value) {
            found.append(SchemaViolation(path: path, message: "expected \(constant.jsonText)"))
        }
        switch value {
        case .string(let text): checkString(text, at: path, into: &found)
        case .integer, .number: checkNumber(value, at: path, into: &found)
        case .array(let items): checkArray(items, at: path, into: &found)
        case .object(let members): checkObject(members, at: path, into: &found)
        case .null, .bool: break
        }
        for schema in allOf {
            schema.check(value, at: path, into: &found)
        }
        if !anyOf.isEmpty, !anyOf.contains(where: { $0.accepts(value) }) {
            found.append(SchemaViolation(path: path, message: "expected to match at least one schema of anyOf"))
        }
        if !oneOf.isEmpty {
            let matches = oneOf.count { $0.accepts(value) }
            if matches != 1 {
                found.append(SchemaViolation(path: path, message: "expected to match exactly one schema of oneOf, matched \(matches)"))
            }
        }
        if let not, not.accepts(value) {
            found.append(SchemaViolation(path: path, message: "expected not to match the schema of not"))
        }
        if let condition {
            let branch = condition.test.accepts(value) ? condition.then : condition.otherwise
            branch?.check(value, at: path, into: &found)
        }
    }

    /// Lengths count code points, as JSON Schema defines them.
    private func checkString(_ text: String, at path: String, into found: inout [SchemaViolation]) {
        let length = text.unicodeScalars.count
        if let minLength, length < minLength {
            found.append(SchemaViolation(path: path, message: "expected length >= \(minLength)"))
        }
        if let maxLength, length > maxLength {
            found.append(SchemaViolation(path: path, message: "expected length <= \(maxLength)"))
        }
        if let pattern, !pattern.matches(text) {
            found.append(SchemaViolation(path: path, message: "expected string to match pattern \(pattern.source)"))
        }
        if let format, !format.accepts(text) {
            found.append(SchemaViolation(path: path, message: "expected string to be a valid \(format.rawValue)"))
        }
    }

    private func checkNumber(_ value: JSONValue, at path: String, into found: inout [SchemaViolation]) {
        let bounds: [(JSONValue?, String, (Int) -> Bool)] = [
            (minimum, ">=", { $0 >= 0 }),
            (maximum, "<=", { $0 <= 0 }),
            (exclusiveMinimum, ">", { $0 > 0 }),
            (exclusiveMaximum, "<", { $0 < 0 }),
        ]
        for case (let bound?, let relation, let holds) in bounds where !holds(value.numericComparison(with: bound)) {
            found.append(SchemaViolation(path: path, message: "expected number \(relation) \(bound.jsonText)"))
        }
        if let multipleOf, !value.isMultiple(of: multipleOf) {
            found.append(SchemaViolation(path: path, message: "expected a multiple of \(multipleOf.jsonText)"))
        }
    }

    private func checkArray(_ items: [JSONValue], at path: String, into found: inout [SchemaViolation]) {
        if let minItems, items.count < minItems {
            found.append(SchemaViolation(path: path, message: "expected array length >= \(minItems)"))
        }
        if let maxItems, items.count > maxItems {
            found.append(SchemaViolation(path: path, message: "expected array length <= \(maxItems)"))
        }
        if uniqueItems {
            duplicates: for later in items.indices {
                for earlier in items.indices where earlier < later && items[earlier].jsonEquals(items[later]) {
                    found.append(SchemaViolation(path: path, message: "expected unique items, [\(earlier)] and [\(later)] are equal"))
                    break duplicates
                }
            }
        }
        for (index, item) in items.enumerated() {
            let schema = index < prefixItems.count ? prefixItems[index] : self.items
            schema?.check(item, at: "\(path)[\(index)]", into: &found)
        }
        if let contains {
            let matches = items.count { contains.accepts($0) }
            let least = minContains ?? 1
            if matches < least {
                found.append(SchemaViolation(path: path, message: "expected at least \(least) item(s) matching contains, found \(matches)"))
            }
            if let maxContains, matches > maxContains {
                found.append(SchemaViolation(path: path, message: "expected at most \(maxContains) item(s) matching contains, found \(matches)"))
            }
        }
    }

    private func checkObject(_ members: [String: JSONValue], at path: String, into found: inout [SchemaViolation]) {
        for key in required where members[key] == nil {
            found.append(SchemaViolation(path: "\(path).\(key)", message: "expected required property \(key) to be present"))
        }
        if let minProperties, members.count < minProperties {
            found.append(SchemaViolation(path: path, message: "expected at least \(minProperties) properties"))
        }
        if let maxProperties, members.count > maxProperties {
            found.append(SchemaViolation(path: path, message: "expected at most \(maxProperties) properties"))
        }
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = "\(path).\(key)"
            var declared = false
            if let schema = properties[key] {
                declared = true
                schema.check(value, at: memberPath, into: &found)
            }
            for (pattern, schema) in patternProperties where pattern.matches(key) {
                declared = true
                schema.check(value, at: memberPath, into: &found)
            }
            if !declared, let additionalProperties {
                if additionalProperties.verdict == false {
                    found.append(SchemaViolation(path: memberPath, message: "unexpected property"))
                } else {
                    additionalProperties.check(value, at: memberPath, into: &found)
                }
            }
            if let propertyNames {
                for violation in propertyNames.violations(of: .string(key)) {
                    found.append(SchemaViolation(path: memberPath, message: "property name: \(violation.message)"))
                }
            }
            for dependency in dependentRequired[key] ?? [] where members[dependency] == nil {
                found.append(SchemaViolation(path: "\(path).\(dependency)", message: "expected property \(dependency) to be present when \(key) is"))
            }
            dependentSchemas[key]?.check(.object(members), at: path, into: &found)
        }
    }
}

extension JSONValue {
    /// Equality as JSON Schema defines it: numbers by mathematical value (`1` equals `1.0`), objects
    /// regardless of member order.
    func jsonEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.integer(let left), .integer(let right)):
            return left == right
        case (.integer, .number), (.number, .integer), (.number, .number):
            return doubleValue == other.doubleValue
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.jsonEquals($1) }
        case (.object(let left), .object(let right)):
            return left.count == right.count && left.allSatisfy { key, value in right[key].map(value.jsonEquals) ?? false }
        default:
            return self == other
        }
    }

    func isInstance(of type: JSONType) -> Bool {
        switch (type, self) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.string, .string),
            (.number, .integer), (.number, .number), (.integer, .integer):
            return true
        case (.integer, .number):
            return integralValue != nil
        default:
            return false
        }
    }

    /// -1, 0 or 1 as this number is below, equal to or above `other`; exact between integers.
    fileprivate func numericComparison(with other: JSONValue) -> Int {
        if case .integer(let left) = self, case .integer(let right) = other {
            return left < right ? -1 : (left == right ? 0 : 1)
        }
        let left = doubleValue ?? 0
        let right = other.doubleValue ?? 0
        return left < right ? -1 : (left == right ? 0 : 1)
    }

    /// Exact between integers; between decimals, within the rounding a binary double carries (`0.3` is a
    /// multiple of `0.1`).
    fileprivate func isMultiple(of divisor: JSONValue) -> Bool {
        if case .integer(let value) = self, case .integer(let step) = divisor {
            return value % step == 0
        }
        guard let value = doubleValue, let step = divisor.doubleValue else { return false }
        let quotient = value / step
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }
}
