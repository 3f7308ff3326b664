import Foundation
import KaitenCore

/// The kinds of value a metadata field offers, each a JSON Schema; a schema none of them writes is edited
/// as raw JSON Schema.
enum MetadataFieldKind: String, CaseIterable {
    case string, number, boolean, date
    case enumeration = "enum"
    case enumList = "enum-list"
    case json

    var label: String {
        switch self {
        case .string: "Text"
        case .number: "Number"
        case .boolean: "Yes / no"
        case .date: "Date"
        case .enumeration: "One of a list"
        case .enumList: "Several of a list"
        case .json: "JSON Schema"
        }
    }

    /// The kind that writes this schema exactly, or `json`.
    init(schema: [String: JSONValue]) {
        let kind = Self.allCases.first { kind in
            kind != .json && kind.schema(values: Self.enumValues(schema)).map(JSONValue.object) == .object(schema)
        }
        self = kind ?? .json
    }

    /// The schema of this kind; nil for raw JSON Schema, which is typed rather than built.
    func schema(values: [String]) -> [String: JSONValue]? {
        let choices = JSONValue.array(values.map(JSONValue.string))
        return switch self {
        case .string: ["type": "string"]
        case .number: ["type": "number"]
        case .boolean: ["type": "boolean"]
        case .date: ["type": "string", "format": "date"]
        case .enumeration: ["type": "string", "enum": choices]
        case .enumList: ["type": "array", "items": .object(["type": "string", "enum": choices])]
        case .json: nil
        }
    }

    /// The enum values of a field or of its array items.
    static func enumValues(_ schema: [String: JSONValue]) -> [String] {
        var values = schema["enum"]
        if case .object(let items)? = schema["items"] { values = items["enum"] }
        guard case .array(let array)? = values else { return [] }
        return array.compactMap { value in
            guard case .string(let text) = value else { return nil }
            return text
        }
    }
}

/// What the metadata field form holds.
struct MetadataFieldFormValues {
    var key = ""
    var label = ""
    var kind: MetadataFieldKind
    /// One enum value per line.
    var enumValues = ""
    var rawSchema = ""

    init(kind: MetadataFieldKind) {
        self.kind = kind
    }

    init(_ field: MetadataFieldRow) {
        key = field.key
        label = field.label
        kind = MetadataFieldKind(schema: field.jsonSchema)
        enumValues = MetadataFieldKind.enumValues(field.jsonSchema).joined(separator: "\n")
        rawSchema = JSONValue.object(field.jsonSchema).jsonText
    }

    init(_ form: FormBody) {
        key = form["key"] ?? ""
        label = form["label"] ?? ""
        kind = form["kind"].flatMap(MetadataFieldKind.init(rawValue:)) ?? .string
        enumValues = form["enumValues"] ?? ""
        rawSchema = form["jsonSchema"] ?? ""
    }

    /// The schema the form describes: built from the kind, or the typed JSON Schema, or, when that text is not
    /// a JSON object, the text itself for the API to refuse beside the field.
    var schema: JSONValue {
        let values = enumValues.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let built = kind.schema(values: values) { return .object(built) }
        guard let parsed = try? JSONValue.parse(Array(rawSchema.utf8)) else { return .string(rawSchema) }
        return parsed
    }
}
