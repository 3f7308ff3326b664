import Foundation
import Hummingbird
import KaitenCore
import KaitenMetadataFields
import PostgresNIO

/// A metadata field as the console reads it.
struct MetadataFieldRow {
    let id: UUID
    let resourceType: MetadataResourceType
    let key: String
    let label: String
    let jsonSchema: [String: JSONValue]
    let archived: Bool
    let updatedAt: Date
    let updatedBy: String?

    typealias Columns = (UUID, String, String, String, String, Bool, Date, String?)

    static let selection = """
        SELECT f.id, f.resource_type::text, f.key, f.label, f.json_schema::text, f.archived_at IS NOT NULL, f.updated_at, updater.name
        FROM metadata_field f LEFT JOIN "user" updater ON updater.id = f.updated_by_id
        """

    init(_ row: Columns) {
        id = row.0
        resourceType = SettingsPages.resourceType(row.1)
        key = row.2
        label = row.3
        if case .object(let schema)? = try? JSONValue.parse(Array(row.4.utf8)) {
            jsonSchema = schema
        } else {
            jsonSchema = [:]
        }
        archived = row.5
        updatedAt = row.6
        updatedBy = row.7
    }

    var link: String { "/console/settings/metadata/\(id.lowercased)" }
}

/// `/console/settings/metadata?resourceType=…`: the fields of one resource type in display order, the
/// archived ones too with "Show archived", each with its actions and the up/down buttons that post the new
/// order.
extension SettingsPages {
    func fields(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.metadataFields))
        let resourceType = Self.resourceType(console.query("resourceType"))
        let showArchived = console.query("archived") == "1"
        let rows = try await database.all(
            """
            \(unescaped: MetadataFieldRow.selection)
            WHERE f.organization_id = \(console.caller.organizationID) AND f.resource_type::text = \(resourceType.rawValue)
              AND (\(showArchived) OR f.archived_at IS NULL)
            ORDER BY f.archived_at IS NOT NULL, f.display_order, f.created_at, f.id
            """,
            as: MetadataFieldRow.Columns.self, logger: database.logger
        ).map(MetadataFieldRow.init)
        let canWrite = console.caller.scopes.grants(.write(.metadataFields))
        let activeIDs = rows.filter { !$0.archived }.map(\.id.lowercased)
        let fields: [[String: Any]] = rows.enumerated().map { index, field in
            let kind = MetadataFieldKind(schema: field.jsonSchema)
            let choices = MetadataFieldKind.enumValues(field.jsonSchema)
            var data: [String: Any] = [
                "id": field.id.lowercased, "key": field.key, "label": field.label, "kind": kind.label,
                "choices": choices.joined(separator: ", "), "hasChoices": !choices.isEmpty,
                "schema": JSONValue.object(field.jsonSchema).jsonText, "archived": field.archived,
                "updated": "\(Format.date(field.updatedAt)) by \(field.updatedBy ?? "—")", "link": field.link, "canWrite": canWrite,
            ]
            if canWrite, !field.archived {
                if index > 0 {
                    data["canMoveUp"] = true
                    data["moveUp"] = Self.swapped(activeIDs, index - 1, index)
                }
                if index < activeIDs.count - 1 {
                    data["canMoveDown"] = true
                    data["moveDown"] = Self.swapped(activeIDs, index, index + 1)
                }
            }
            return data
        }
        return Page(
            template: "settings-metadata", title: "\(Self.resourceLabel(resourceType)) metadata", section: .settings,
            data: [
                "fields": fields,
                "empty": fields.isEmpty,
                "resourceType": resourceType.rawValue,
                "types": MetadataResourceType.allCases.sorted { $0.rawValue > $1.rawValue }.map {
                    [
                        "label": Self.resourceLabel($0), "link": Self.listLink($0, archived: showArchived), "current": $0 == resourceType,
                    ] as [String: Any]
                },
                "showArchived": showArchived,
                "archivedToggle": Self.listLink(resourceType, archived: !showArchived),
                "newField": "/console/settings/metadata/new?resourceType=\(resourceType.rawValue)",
                "canWrite": canWrite,
            ])
    }

    static func resourceLabel(_ type: MetadataResourceType) -> String {
        switch type {
        case .instance: "Instance"
        case .deploymentZone: "Deployment zone"
        }
    }

    /// The ids with two neighbours exchanged: the order an up or down button posts.
    static func swapped(_ ids: [String], _ first: Int, _ second: Int) -> [[String: String]] {
        var order = ids
        order.swapAt(first, second)
        return order.map { ["id": $0] }
    }

    func field(_ console: ConsoleRequest, id: UUID) async throws -> MetadataFieldRow {
        try console.caller.require(.read(.metadataFields))
        guard
            let row = try await database.first(
                "\(unescaped: MetadataFieldRow.selection) WHERE f.organization_id = \(console.caller.organizationID) AND f.id = \(id)",
                as: MetadataFieldRow.Columns.self, logger: database.logger)
        else {
            throw APIError.notFound("Console.MetadataFieldNotFound", "metadata field \(id.lowercased) not found")
        }
        return MetadataFieldRow(row)
    }
}
