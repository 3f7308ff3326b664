import Foundation
import Hummingbird
import KaitenCore
import KaitenCustomers
import PostgresNIO

/// `/console/customers/{slug}`: the customer's details and its instances.
extension CustomersPages {
    func detail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let customer = try await customers.get(slug: slug, caller: console.caller)
        let instances = try await database.all(
            """
            SELECT i.name, i.slug, l.name, l.type::text, i.status::text, i.lifecycle_stage, i.start_license_date, i.end_license_date
            FROM instance i
            JOIN customer c ON c.id = i.customer_id
            JOIN license l ON l.id = i.license_id
            WHERE c.organization_id = \(console.caller.organizationID) AND c.slug = \(slug)
            ORDER BY i.name
            """,
            as: (String, String, String, String, String, String?, Date, Date).self,
            logger: database.logger
        )
        return Page(
            template: "customer", title: customer.name, section: .customers,
            data: [
                "customer": [
                    "name": customer.name, "slug": customer.slug, "externalCustomerId": customer.externalCustomerId ?? "—",
                    "domain": customer.domain ?? "—", "createdAt": Format.date(customer.createdAt),
                    "createdBy": customer.createdBy.name ?? "—", "updatedAt": Format.date(customer.updatedAt),
                    "updatedBy": customer.updatedBy.name ?? "—",
                ],
                "instances": instances.map { row in
                    [
                        "name": row.0, "link": "/console/instances/\(row.1)", "license": row.2, "licenseType": Self.licenseTypeLabel(row.3),
                        "status": InstanceStatus.label(row.4), "statusClass": row.4.lowercased(), "lifecycle": row.5 ?? "—",
                        "start": Format.day(row.6), "end": Format.day(row.7),
                    ] as [String: Any]
                },
                "hasInstances": !instances.isEmpty,
                "newInstance": "/console/instances/new?customer=\(customer.slug)",
                "canWrite": console.caller.scopes.grants(.write(.customers)),
            ])
    }
}

/// The words for an instance's status.
enum InstanceStatus {
    static let all = ["HEALTHY", "DEGRADED", "INCIDENT", "MAINTENANCE"]

    static func label(_ status: String) -> String { status.prefix(1) + status.dropFirst().lowercased() }
}
