import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// An active INSTANCE metadata field: one list column, one typed form input, one row of the detail's card.
struct InstanceMetadataField {
    let key: String
    let label: String
    let schema: JSONValue

    /// The form input's name; the key is namespaced so it never meets a field of the instance itself.
    var inputName: String { "metadata.\(key)" }

    /// The values an `enum` schema allows, which the form offers as a choice.
    var choices: [JSONValue]? { schema["enum"]?.arrayValue }

    var type: String? { schema["type"]?.stringValue }

    /// The JSON value of what was typed: blank is left out, and text that is not of the field's type is sent
    /// as text so that the metadata validation refuses it beside the field.
    func value(typed text: String?) -> JSONValue? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if choices != nil { return (try? JSONValue.parse(Array(text.utf8))) ?? .string(text) }
        switch type {
        case "boolean": return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        case "integer": return Int64(text).map(JSONValue.integer) ?? .string(text)
        case "number": return Int64(text).map(JSONValue.integer) ?? Double(text).map(JSONValue.number) ?? .string(text)
        default: return .string(text)
        }
    }

    /// What the form's input holds for a stored value: choices are matched by their JSON text.
    func formText(_ value: JSONValue) -> String {
        choices != nil ? value.jsonText : InstancesPages.display(value)
    }

    /// What the form template reads for this field.
    func input(text: String, error: String?) -> [String: Any] {
        var data: [String: Any] = ["name": inputName, "id": "metadata-\(key)", "label": label, "value": text, "hasChoices": false]
        if let choices {
            data["hasChoices"] = true
            data["choices"] = choices.map {
                ["value": $0.jsonText, "label": InstancesPages.display($0), "selected": $0.jsonText == text] as [String: Any]
            }
        } else if type == "boolean" {
            data["hasChoices"] = true
            data["choices"] = [("true", "Yes"), ("false", "No")].map { ["value": $0.0, "label": $0.1, "selected": $0.0 == text] as [String: Any] }
        } else {
            data["inputType"] = type == "number" || type == "integer" ? "number" : "text"
        }
        if let error { data["error"] = error }
        return data
    }
}

extension InstancesPages {
    /// The organization's active INSTANCE metadata fields, in their display order.
    func metadataFields(_ console: ConsoleRequest) async throws -> [InstanceMetadataField] {
        try await database.all(
            """
            SELECT key, label, json_schema::text FROM metadata_field
            WHERE organization_id = \(console.caller.organizationID) AND resource_type = 'INSTANCE' AND archived_at IS NULL
            ORDER BY display_order, key
            """,
            as: (String, String, String).self,
            logger: database.logger
        ).map { InstanceMetadataField(key: $0.0, label: $0.1, schema: (try? JSONValue.parse(Array($0.2.utf8))) ?? .object([:])) }
    }

    /// The metadata the form states: one value per declared field, and the other keys from the JSON box.
    static func metadata(_ form: FormBody, fields: [InstanceMetadataField]) throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let extra = form.text("extraMetadata") {
            guard let object = (try? JSONValue.parse(Array(extra.utf8)))?.objectValue else {
                throw APIError.validation(
                    "Console.InvalidMetadata", "Other metadata must be a JSON object.",
                    errors: [ErrorDetail(message: "expected a JSON object such as {\"key\": \"value\"}", location: "body.extraMetadata")])
            }
            members = object
        }
        for field in fields {
            members[field.key] = field.value(typed: form[field.inputName])
        }
        return .object(members)
    }

    /// The per-field messages of a refused metadata validation, by key: `body.metadata.tier` is `tier`.
    static func metadataErrors(_ error: APIError) -> [String: String] {
        var messages: [String: String] = [:]
        for entry in error.errors where entry.location.hasPrefix("body.metadata.") {
            let key = String(entry.location.dropFirst("body.metadata.".count))
            messages[key] = messages[key].map { "\($0) \(entry.message)" } ?? entry.message
        }
        return messages
    }
}
