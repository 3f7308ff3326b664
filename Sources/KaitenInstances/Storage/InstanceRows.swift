import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads instances with the slugs of what they point at and the names of who created and last updated them.
enum InstanceRows: OrganizationRows {
    static let alias = "i"
    static let selection = """
        SELECT i.id, i.slug, i.name, i.description, i.status::text, i.lifecycle_stage,
               COALESCE(i.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, i.created_at,
               COALESCE(i.updated_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), updater.name, i.updated_at,
               i.customer_id, c.slug, i.license_id, l.slug, i.deployment_zone_id, dz.slug,
               i.start_license_date, i.end_license_date, i.metadata::text
        FROM instance i
        JOIN customer c ON c.id = i.customer_id
        JOIN license l ON l.id = i.license_id
        LEFT JOIN deployment_zone dz ON dz.id = i.deployment_zone_id
        LEFT JOIN "user" creator ON creator.id = i.created_by_id
        LEFT JOIN "user" updater ON updater.id = i.updated_by_id
        """

    typealias Columns = (
        UUID, String, String, String, String, String?,
        UUID, String?, Date, UUID, String?, Date,
        UUID, String, UUID, String, UUID?, String?,
        Date, Date, String
    )

    /// Decodes the instances of a query that starts with `selection`, with their integrations.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [InstanceResource] {
        let rows = try await executor.all(query, as: Columns.self, logger: logger)
        let links = try await IntegrationLinks.instances.links(of: rows.map(\.0), on: executor, logger: logger)
        return rows.map { row in
            var metadata: [String: JSONValue] = [:]
            if case .object(let members)? = try? JSONValue.parse(Array(row.20.utf8)) { metadata = members }
            return InstanceResource(
                id: row.0.lowercased,
                slug: row.1,
                name: row.2,
                description: row.3,
                status: row.4,
                lifecycleStage: row.5,
                createdBy: UserReference(id: row.6, name: row.7),
                createdAt: row.8,
                updatedBy: UserReference(id: row.9, name: row.10),
                updatedAt: row.11,
                customerId: row.12.lowercased,
                customerSlug: row.13,
                licenseId: row.14.lowercased,
                licenseSlug: row.15,
                deploymentZoneId: row.16?.lowercased,
                deploymentZoneSlug: row.17,
                startLicenseDate: row.18,
                endLicenseDate: row.19,
                metadata: metadata,
                integrations: links[row.0]
            )
        }
    }

    /// The organization's instance with this slug, locked for the rest of the transaction when `forUpdate`.
    static func find(
        slug: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> InstanceResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE i.organization_id = \(organizationID) AND i.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF i" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }

    /// The id of the organization's instance with this slug, or a 404 with `notFoundCode`. A write locks the
    /// row for the rest of its transaction (`forUpdate`), so that the instance's integrations change one writer
    /// at a time.
    static func id(
        slug: String, organizationID: UUID, notFoundCode: String, forUpdate: Bool = true, on executor: some SQLExecutor, logger: Logger
    ) async throws -> UUID {
        guard
            let id = try await executor.first(
                """
                SELECT id FROM instance WHERE organization_id = \(organizationID) AND slug = \(slug)
                \(unescaped: forUpdate ? "FOR UPDATE" : "")
                """,
                as: UUID.self,
                logger: logger
            )
        else {
            throw APIError.notFound(notFoundCode, "Instance with slug \"\(slug)\" not found")
        }
        return id
    }

    /// The instance with this id, as a write just left it; locked for the rest of the transaction when `forUpdate`.
    static func get(id: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger) async throws -> InstanceResource {
        try await fetch(
            "\(unescaped: selection) WHERE i.id = \(id) \(unescaped: forUpdate ? "FOR UPDATE OF i" : "")", on: executor, logger: logger
        )[0]
    }

    /// Writes the instance's event with the instance id header the audit trail files it under.
    static func record(
        _ event: EventType, _ instance: InstanceResource, organizationID: UUID, on executor: some SQLExecutor, logger: Logger
    ) async throws {
        try await Outbox.append(
            OutboxMessage(organizationID: organizationID, event: event, data: instance, headers: instance.eventHeaders),
            on: executor,
            logger: logger
        )
    }

    /// The client error behind a failed insert or update of an instance row, if it is one.
    ///
    /// The foreign keys carry the organization, so another organization's customer, license or zone fails
    /// them exactly like a missing one and reads as not found; an archived license is refused by the
    /// `instance_license_not_archived` trigger.
    static func clientError(_ error: any Error, operation: String, fields: InstanceFields) -> APIError? {
        guard let failure = PostgresFailure(error) else { return nil }
        if failure.isCheckViolation, failure.constraint == "instance_license_not_archived" {
            return .unprocessable(
                "\(operation).LicenseArchived",
                "License with ID \(fields.licenseID.lowercased) is archived and can no longer be assigned to an instance; choose a published or draft version"
            )
        }
        guard failure.isForeignKeyViolation else { return nil }
        switch failure.constraint {
        case "instance_customer_fkey":
            return .notFound("\(operation).CustomerNotFound", "Customer with ID \(fields.customerID.lowercased) was not found")
        case "instance_license_fkey":
            return .notFound("\(operation).LicenseNotFound", "License with ID \(fields.licenseID.lowercased) was not found")
        case "instance_deployment_zone_fkey":
            return .notFound(
                "\(operation).DeploymentZoneNotFound",
                "Deployment zone with ID \(fields.deploymentZoneID?.lowercased ?? "") was not found"
            )
        default:
            return nil
        }
    }
}
