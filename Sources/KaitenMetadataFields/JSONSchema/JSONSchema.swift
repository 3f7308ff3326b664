import Foundation
import KaitenCore

/// A compiled JSON Schema 2020-12 document, for the vocabulary metadata fields use.
///
/// Kaiten validates with a full 2020-12 implementation and format assertions on. No Swift package offers one,
/// so this is written here for the keywords a field's schema needs: the validation vocabulary (`type`, `enum`,
/// `const`, string, number, array and object bounds, `pattern`, `format`) and the applicators (`items`,
/// `prefixItems`, `contains`, `properties`, `patternProperties`, `additionalProperties`, `propertyNames`,
/// `dependentSchemas`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`). References (`$ref`,
/// `$dynamicRef`) and the `unevaluated*` keywords are refused when a schema is declared rather than ignored,
/// so that no stored schema ever means less than its author wrote. Other unknown keywords are annotations,
/// as the specification says.
final class JSONSchema: Sendable {
    /// A boolean schema's verdict; nil for an object schema.
    let verdict: Bool?
    let types: Set<JSONType>?
    let allowedValues: [JSONValue]?
    let constant: JSONValue?
    let minLength: Int?
    let maxLength: Int?
    let pattern: CompiledPattern?
    let format: JSONFormat?
    let minimum: JSONValue?
    let maximum: JSONValue?
    let exclusiveMinimum: JSONValue?
    let exclusiveMaximum: JSONValue?
    let multipleOf: JSONValue?
    let prefixItems: [JSONSchema]
    let items: JSONSchema?
    let contains: JSONSchema?
    let minContains: Int?
    let maxContains: Int?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool
    let properties: [String: JSONSchema]
    let patternProperties: [(pattern: CompiledPattern, schema: JSONSchema)]
    let additionalProperties: JSONSchema?
    let propertyNames: JSONSchema?
    let required: [String]
    let dependentRequired: [String: [String]]
    let dependentSchemas: [String: JSONSchema]
    let minProperties: Int?
    let maxProperties: Int?
    let allOf: [JSONSchema]
    let anyOf: [JSONSchema]
    let oneOf: [JSONSchema]
    let not: JSONSchema?
    let condition: Condition?

    fileprivate init(verdict: Bool) {
        self.verdict = verdict
        types = nil
        allowedValues = nil
        constant = nil
        minLength = nil
        maxLength = nil
        pattern = nil
        format = nil
        minimum = nil
        maximum = nil
        exclusiveMinimum = nil
        exclusiveMaximum = nil
        multipleOf = nil
        prefixItems = []
        items = nil
        contains = nil
        minContains = nil
        maxContains = nil
        minItems = nil
        maxItems = nil
        uniqueItems = false
        properties = [:]
        patternProperties = []
        additionalProperties = nil
        propertyNames = nil
        required = []
        dependentRequired = [:]
        dependentSchemas = [:]
        minProperties = nil
        maxProperties = nil
        allOf = []
        anyOf = []
        oneOf = []
        not = nil
        condition = nil
    }

    fileprivate init(reading reader: inout SchemaReader) {
        verdict = nil
        types = reader.types()
        allowedValues = reader.array("enum")
        constant = reader.any("const")
        minLength = reader.count("minLength")
        maxLength = reader.count("maxLength")
        pattern = reader.pattern("pattern")
        format = reader.format()
        minimum = reader.number("minimum")
        maximum = reader.number("maximum")
        exclusiveMinimum = reader.number("exclusiveMinimum")
        exclusiveMaximum = reader.number("exclusiveMaximum")
        multipleOf = reader.number("multipleOf", positive: true)
        prefixItems = reader.schemaList("prefixItems")
        items = reader.schema("items")
        contains = reader.schema("contains")
        minContains = reader.count("minContains")
        maxContains = reader.count("maxContains")
        minItems = reader.count("minItems")
        maxItems = reader.count("maxItems")
        uniqueItems = reader.boolean("uniqueItems") ?? false
        properties = reader.schemaMap("properties")
        patternProperties = reader.patternSchemaMap("patternProperties")
        additionalProperties = reader.schema("additionalProperties")
        propertyNames = reader.schema("propertyNames")
        required = reader.names("required") ?? []
        dependentRequired = reader.namesMap("dependentRequired")
        dependentSchemas = reader.schemaMap("dependentSchemas")
        minProperties = reader.count("minProperties")
        maxProperties = reader.count("maxProperties")
        allOf = reader.schemaList("allOf")
        anyOf = reader.schemaList("anyOf")
        oneOf = reader.schemaList("oneOf")
        not = reader.schema("not")
        let ifSchema = reader.schema("if")
        let thenSchema = reader.schema("then")
        let elseSchema = reader.schema("else")
        condition = ifSchema.map { Condition(test: $0, then: thenSchema, otherwise: elseSchema) }
        reader.checkAnnotations()
        reader.requireItemsOnArrays()
    }
}

extension JSONSchema {
    /// `if`, `then` and `else`: `then` applies to what passes `if`, `else` to what fails it.
    struct Condition: Sendable {
        let test: JSONSchema
        let then: JSONSchema?
        let otherwise: JSONSchema?
    }

    static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// Compiles a metadata field's schema document.
    ///
    /// - Parameter location: where the document sits in the request, the prefix of every problem location.
    /// - Throws: 422 `MetadataField.SchemaShape.Invalid` with one `errors[]` entry per offending keyword when
    ///   the document is not a JSON Schema 2020-12 document this server can apply, or
    ///   `MetadataField.SchemaShape.ArrayMissingItems` when its only fault is an array schema without `items`
    ///   (Kaiten refuses unconstrained arrays: nothing would tell the console how to render their values).
    static func compile(_ document: [String: JSONValue], location: String) throws -> JSONSchema {
        var problems = SchemaProblems()
        if case .string(let dialect)? = document["$schema"], dialect != Self.dialect {
            problems.invalid.append(
                ErrorDetail(
                    message: "only JSON Schema 2020-12 (\(Self.dialect)) is supported", location: "\(location).$schema", value: .string(dialect))
            )
        }
        let schema = compile(.object(document), location: location, problems: &problems)
        if !problems.invalid.isEmpty {
            throw APIError.unprocessable(
                "MetadataField.SchemaShape.Invalid",
                "jsonSchema is not a valid JSON Schema 2020-12 document",
                errors: (problems.invalid + problems.missingItems).sorted { $0.location < $1.location }
            )
        }
        if !problems.missingItems.isEmpty {
            throw APIError.unprocessable(
                "MetadataField.SchemaShape.ArrayMissingItems",
                "an array schema must declare an `items` subschema",
                errors: problems.missingItems.sorted { $0.location < $1.location }
            )
        }
        return schema
    }

    /// Compiles a schema that was valid when it was stored.
    static func compileStored(_ document: [String: JSONValue], key: String) throws -> JSONSchema {
        var problems = SchemaProblems()
        let schema = compile(.object(document), location: key, problems: &problems)
        guard problems.invalid.isEmpty else {
            throw StoredSchemaCorrupted(key: key, problems: problems.invalid)
        }
        return schema
    }

    fileprivate static func compile(_ value: JSONValue, location: String, problems: inout SchemaProblems) -> JSONSchema {
        switch value {
        case .bool(let verdict):
            return JSONSchema(verdict: verdict)
        case .object(let keywords):
            var reader = SchemaReader(keywords: keywords, location: location, problems: problems)
            let schema = JSONSchema(reading: &reader)
            problems = reader.problems
            return schema
        default:
            problems.invalid.append(
                ErrorDetail(message: "expected a schema (object or boolean), got \(value.typeName)", location: location, value: value))
            return JSONSchema(verdict: true)
        }
    }
}

/// A stored field schema that no longer compiles: the row was written around the API.
struct StoredSchemaCorrupted: Error, CustomStringConvertible {
    let key: String
    let problems: [ErrorDetail]

    var description: String {
        "stored json_schema of metadata field \"\(key)\" does not compile: "
            + problems.map { "\($0.location): \($0.message)" }.joined(separator: "; ")
    }
}

/// The primitive types of JSON Schema's `type` keyword.
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer
}

/// A `pattern` (or `patternProperties` key): an ECMA-262 regular expression, matched anywhere in the string.
///
/// ICU's dialect (NSRegularExpression) is the closest available to ECMA-262: it has the same escapes,
/// classes, lookahead and lookbehind.
struct CompiledPattern: Sendable {
    let source: String
    let expression: NSRegularExpression

    init?(_ source: String) {
        guard let expression = try? NSRegularExpression(pattern: source) else { return nil }
        self.source = source
        self.expression = expression
    }

    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

private struct SchemaProblems {
    var invalid: [ErrorDetail] = []
    var missingItems: [ErrorDetail] = []
}

/// Reads one object schema's keywords, checking each against the 2020-12 meta-schema.
private struct SchemaReader {
    /// Keywords whose meaning this server does not implement: accepting them would validate less than the
    /// author asked for.
    static let unsupported: Set<String> = ["$ref", "$dynamicRef", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems"]

    let keywords: [String: JSONValue]
    let location: String
    var problems: SchemaProblems

    init(keywords: [String: JSONValue], location: String, problems: SchemaProblems) {
        self.keywords = keywords
        self.location = location
        self.problems = problems
        for keyword in keywords.keys.sorted() where Self.unsupported.contains(keyword) {
            reject(keyword, "\(keyword) is not supported by this server; write the schema inline")
        }
    }

    mutating func reject(_ keyword: String, _ message: String) {
        problems.invalid.append(ErrorDetail(message: message, location: path(keyword), value: keywords[keyword]))
    }

    func path(_ keyword: String) -> String { "\(location).\(keyword)" }

    func any(_ keyword: String) -> JSONValue? { keywords[keyword] }

    mutating func types() -> Set<JSONType>? {
        guard let value = keywords["type"] else { return nil }
        switch value {
        case .string(let name):
            guard let type = JSONType(rawValue: name) else {
                reject("type", "expected one of \(JSONType.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return [type]
        case .array(let names) where !names.isEmpty:
            var types: Set<JSONType> = []
            for name in names {
                guard case .string(let text) = name, let type = JSONType(rawValue: text), types.insert(type).inserted else {
                    reject("type", "expected an array of distinct type names (\(JSONType.allCases.map(\.rawValue).joined(separator: ", ")))")
                    return nil
                }
            }
            return types
        default:
            reject("type", "expected a type name or a non-empty array of type names")
            return nil
        }
    }

    mutating func array(_ keyword: String) -> [JSONValue]? {
        guard let value = keywords[keyword] else { return nil }
        guard case .array(let items) = value else {
            reject(keyword, "expected array, got \(value.typeName)")
            return nil
        }
        return items
    }

    /// A non-negative integer keyword (`minLength`, `maxItems`, …).
    mutating func count(_ keyword: String) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        if let integer = value.integralValue, integer >= 0 { return Int(clamping: integer) }
        reject(keyword, "expected a non-negative integer")
        return nil
    }

    mutating func number(_ keyword: String, positive: Bool = false) -> JSONValue? {
        guard let value = keywords[keyword] else { return nil }
        guard let double = value.doubleValue else {
            reject(keyword, "expected number, got \(value.typeName)")
            return nil
        }
        if positive && !(double > 0) {
            reject(keyword, "expected a number greater than 0")
            return nil
        }
        return value
    }

    mutating func boolean(_ keyword: String) -> Bool? {
        guard let value = keywords[keyword] else { return nil }
        guard case .bool(let flag) = value else {
            reject(keyword, "expected boolean, got \(value.typeName)")
            return nil
        }
        return flag
    }

    mutating func string(_ keyword: String) -> String? {
        guard let value = keywords[keyword] else { return nil }
        guard case .string(let text) = value else {
            reject(keyword, "expected string, got \(value.typeName)")
            return nil
        }
        return text
    }

    mutating func pattern(_ keyword: String) -> CompiledPattern? {
        guard let source = string(keyword) else { return nil }
        guard let pattern = CompiledPattern(source) else {
            reject(keyword, "expected a valid regular expression")
            return nil
        }
        return pattern
    }

    /// Formats are asserted (Kaiten compiles with format assertion on); an unknown format stays an
    /// annotation, as 2020-12's format-assertion vocabulary says.
    mutating func format() -> JSONFormat? {
        string("format").flatMap(JSONFormat.init(rawValue:))
    }

    /// A string array with unique items (`required`, the values of `dependentRequired`).
    mutating func names(_ keyword: String) -> [String]? {
        guard let value = keywords[keyword] else { return nil }
        return names(value, keyword: keyword)
    }

    private mutating func names(_ value: JSONValue, keyword: String) -> [String]? {
        guard case .array(let items) = value else {
            reject(keyword, "expected array of strings, got \(value.typeName)")
            return nil
        }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item else {
                reject(keyword, "expected array of strings")
                return nil
            }
            guard !names.contains(name) else {
                reject(keyword, "expected unique strings, \"\(name)\" appears twice")
                return nil
            }
            names.append(name)
        }
        return names
    }

    mutating func namesMap(_ keyword: String) -> [String: [String]] {
        guard let members = objectMembers(keyword) else { return [:] }
        var map: [String: [String]] = [:]
        for (name, value) in members {
            map[name] = names(value, keyword: keyword)
        }
        return map
    }

    mutating func schema(_ keyword: String) -> JSONSchema? {
        guard let value = keywords[keyword] else { return nil }
        return JSONSchema.compile(value, location: path(keyword), problems: &problems)
    }

    /// A non-empty array of schemas (`allOf`, `anyOf`, `oneOf`, `prefixItems`).
    mutating func schemaList(_ keyword: String) -> [JSONSchema] {
        guard let value = keywords[keyword] else { return [] }
        guard case .array(let items) = value, !items.isEmpty else {
            reject(keyword, "expected a non-empty array of schemas")
            return []
        }
        return items.enumerated().map { index, item in
            JSONSchema.compile(item, location: "\(path(keyword))[\(index)]", problems: &problems)
        }
    }

    mutating func schemaMap(_ keyword: String) -> [String: JSONSchema] {
        guard let members = objectMembers(keyword) else { return [:] }
        var map: [String: JSONSchema] = [:]
        for (name, value) in members {
            map[name] = JSONSchema.compile(value, location: "\(path(keyword)).\(name)", problems: &problems)
        }
        return map
    }

    mutating func patternSchemaMap(_ keyword: String) -> [(pattern: CompiledPattern, schema: JSONSchema)] {
        guard let members = objectMembers(keyword) else { return [] }
        var list: [(pattern: CompiledPattern, schema: JSONSchema)] = []
        for (source, value) in members.sorted(by: { $0.key < $1.key }) {
            let schema = JSONSchema.compile(value, location: "\(path(keyword)).\(source)", problems: &problems)
            guard let pattern = CompiledPattern(source) else {
                problems.invalid.append(
                    ErrorDetail(message: "expected a valid regular expression as property pattern", location: "\(path(keyword)).\(source)"))
                continue
            }
            list.append((pattern, schema))
        }
        return list
    }

    private mutating func objectMembers(_ keyword: String) -> [String: JSONValue]? {
        guard let value = keywords[keyword] else { return nil }
        guard case .object(let members) = value else {
            reject(keyword, "expected object, got \(value.typeName)")
            return nil
        }
        return members
    }

    /// The meta-data and core keywords that carry no assertion still have a shape in the meta-schema.
    mutating func checkAnnotations() {
        for keyword in ["title", "description", "$comment", "$id", "$anchor", "$dynamicAnchor", "contentEncoding", "contentMediaType"] {
            _ = string(keyword)
        }
        for keyword in ["deprecated", "readOnly", "writeOnly"] {
            _ = boolean(keyword)
        }
        _ = array("examples")
        _ = schemaMap("$defs")
        _ = string("$schema")
    }

    /// Kaiten's own rule on top of the meta-schema: `type: "array"` must say what its items are.
    mutating func requireItemsOnArrays() {
        guard keywords["type"] == .string("array"), keywords["items"] == nil else { return }
        problems.missingItems.append(ErrorDetail(message: "an array schema must declare an `items` subschema", location: location))
    }
}

extension JSONValue {
    /// The value as an integer when it is one mathematically (`2` and `2.0` both are).
    var integralValue: Int64? {
        switch self {
        case .integer(let value):
            return value
        case .number(let value) where value.rounded() == value && abs(value) < 9.2e18:
            return Int64(value)
        default:
            return nil
        }
    }
}
