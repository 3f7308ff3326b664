import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/instances`: every instance with its customer, license, status and metadata, searched,
/// filtered, sorted and paged in one query; `ending=30` keeps the licenses ending within 30 days, which
/// the dashboard links to.
extension InstancesPages {
    static let statuses = Set(InstanceStatus.all)

    func list(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.instances))
        let view = ListQuery(
            console, path: "/console/instances", sorts: ["name", "customer", "license", "status", "ends"],
            filters: ["customer": nil, "status": Self.statuses, "licenseType": CustomersPages.licenseTypes, "ending": ["30"]])
        let order =
            switch view.sort {
            case "customer": "c.name \(view.direction), i.name"
            case "license": "l.name \(view.direction), i.name"
            case "status": "i.status \(view.direction), i.name"
            case "ends": "i.end_license_date \(view.direction), i.name"
            default: "i.name \(view.direction), i.id"
            }
        let organization = console.caller.organizationID
        let ending = view.filters["ending"] != nil
        let rows = try await database.all(
            """
            SELECT i.name, i.slug, c.name, c.slug, l.name, l.type::text, i.status::text, i.lifecycle_stage, i.end_license_date,
                   i.metadata::text, (count(*) OVER ())::int
            FROM instance i
            JOIN customer c ON c.id = i.customer_id
            JOIN license l ON l.id = i.license_id
            WHERE i.organization_id = \(organization)
              AND (\(view.searchPattern)::text IS NULL OR i.name ILIKE \(view.searchPattern) OR i.slug ILIKE \(view.searchPattern)
                   OR c.name ILIKE \(view.searchPattern))
              AND (\(view.filters["customer"])::text IS NULL OR c.slug = \(view.filters["customer"]))
              AND (\(view.filters["status"])::text IS NULL OR i.status::text = \(view.filters["status"]))
              AND (\(view.filters["licenseType"])::text IS NULL OR l.type::text = \(view.filters["licenseType"]))
              AND (NOT \(ending) OR (i.end_license_date > now() AND i.end_license_date <= now() + interval '30 days'))
            ORDER BY \(unescaped: order)
            LIMIT \(view.size) OFFSET \(view.offset)
            """,
            as: (String, String, String, String, String, String, String, String?, Date, String, Int).self,
            logger: database.logger
        )
        let fields = try await metadataFields(console)
        let instances: [[String: Any]] = rows.map { row in
            let metadata = (try? JSONValue.parse(Array(row.9.utf8)))?.objectValue ?? [:]
            return [
                "name": row.0, "link": "/console/instances/\(row.1)", "customer": row.2, "customerLink": "/console/customers/\(row.3)",
                "license": row.4, "licenseType": CustomersPages.licenseTypeLabel(row.5), "status": InstanceStatus.label(row.6),
                "statusClass": row.6.lowercased(), "lifecycle": row.7 ?? "—", "ends": Format.day(row.8),
                "metadata": fields.isEmpty
                    ? [metadata.isEmpty ? "—" : JSONValue.object(metadata).jsonText]
                    : fields.map { field in metadata[field.key].map(Self.display) ?? "—" },
            ]
        }
        return Page(
            template: "instances", title: "Instances", section: .instances,
            data: [
                "instances": instances,
                "empty": instances.isEmpty,
                "search": view.search ?? "",
                // A slug, not a list of every customer: an organization may have thousands.
                "customer": view.filters["customer"] ?? "",
                "statuses": view.options("status", InstanceStatus.all.map { ($0, InstanceStatus.label($0)) }),
                "licenseTypes": view.options("licenseType", CustomersPages.licenseTypes.sorted().map { ($0, CustomersPages.licenseTypeLabel($0)) }),
                "ending": ending,
                "metadataColumns": fields.isEmpty ? ["Metadata"] : fields.map(\.label),
                "columns": [
                    "name": view.column("name", "Name"), "customer": view.column("customer", "Customer"),
                    "license": view.column("license", "License"), "status": view.column("status", "Status"),
                    "ends": view.column("ends", "License ends"),
                ],
                "pager": view.pager(total: rows.first?.10 ?? 0),
                "canWrite": console.caller.scopes.grants(.write(.instances)),
            ])
    }

    /// A metadata value as a cell shows it: text as is, anything else as JSON.
    static func display(_ value: JSONValue) -> String {
        value.stringValue ?? value.jsonText
    }
}
