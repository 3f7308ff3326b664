import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenMetadataFields
import PostgresNIO

/// The metadata field form (create and edit). An edit whose schema would refuse stored values shows how
/// many, and saves only once that is confirmed; "Preview impact" shows the dry run without saving.
extension SettingsPages {
    static let formFields: Set<String> = ["key", "label", "jsonSchema", "resourceType"]

    func fieldEditor(
        _ console: ConsoleRequest, field: MetadataFieldRow?, resourceType: MetadataResourceType, values: MetadataFieldFormValues,
        failure: FormFailure? = nil, impact: MetadataFieldImpact? = nil
    ) -> Page {
        var data: [String: Any] = [
            "creating": field == nil,
            "action": field?.link ?? "/console/settings/metadata",
            "cancel": Self.listLink(resourceType),
            "resourceType": resourceType.rawValue,
            "resourceLabel": Self.resourceLabel(resourceType),
            "values": ["key": values.key, "label": values.label, "enumValues": values.enumValues, "jsonSchema": values.rawSchema],
            "kinds": MetadataFieldKind.allCases.map {
                ["value": $0.rawValue, "label": $0.label, "selected": $0 == values.kind] as [String: Any]
            },
        ]
        if let failure { data.merge(failure.data) { $1 } }
        if let impact {
            data["impact"] =
                [
                    "count": impact.count, "breaking": impact.count > 0,
                    "summary": "\(impact.count) stored value\(impact.count == 1 ? "" : "s") would fail the new schema.",
                    "samples": impact.samples.map { ["name": $0.name, "slug": $0.slug] },
                ] as [String: Any]
        }
        return Page(
            template: "settings-metadata-form",
            title: field.map { "Edit \($0.label)" } ?? "New \(Self.resourceLabel(resourceType).lowercased()) field",
            section: .settings, data: data, status: failure?.status ?? .ok)
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        let resourceType = Self.resourceType(form["resourceType"])
        let values = MetadataFieldFormValues(form)
        let body: JSONValue = .object([
            "resourceType": .string(resourceType.rawValue), "key": .string(values.key), "label": .string(values.label), "jsonSchema": values.schema,
        ])
        return try await console.submit {
            let field = try await metadataFields.create(try CreateMetadataField.Command(body: body), caller: console.caller)
            return console.redirect(to: Self.listLink(field.resourceType), notice: "Field \(field.label) created.")
        } refused: { error in
            fieldEditor(console, field: nil, resourceType: resourceType, values: values, failure: FormFailure(error, fields: Self.formFields))
        }
    }

    func update(_ console: ConsoleRequest, _ form: FormBody, id: UUID) async throws -> Response {
        let field = try await field(console, id: id)
        var values = MetadataFieldFormValues(form)
        values.key = field.key
        let schema = values.schema
        return try await console.submit {
            let schemaChanged = schema != .object(field.jsonSchema)
            if schemaChanged, form["intent"] == "preview" || form["confirmed"] == nil {
                let impact = try await metadataFields.dryRun(
                    id: id, try DryRunMetadataField.Command(body: .object(["jsonSchema": schema])), caller: console.caller)
                if form["intent"] == "preview" || impact.count > 0 {
                    return console.render(fieldEditor(console, field: field, resourceType: field.resourceType, values: values, impact: impact))
                }
            }
            let body: JSONValue = .object([
                "resourceType": .string(field.resourceType.rawValue), "key": .string(field.key), "label": .string(values.label), "jsonSchema": schema,
            ])
            let updated = try await metadataFields.update(id: id, try UpdateMetadataField.Command(body: body), caller: console.caller)
            return console.redirect(to: Self.listLink(updated.resourceType), notice: "Field \(updated.label) saved.")
        } refused: { error in
            fieldEditor(
                console, field: field, resourceType: field.resourceType, values: values, failure: FormFailure(error, fields: Self.formFields))
        }
    }
}
