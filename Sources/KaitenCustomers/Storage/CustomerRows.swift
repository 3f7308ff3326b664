import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads customers with the names of the users who created and last updated them.
enum CustomerRows: OrganizationRows {
    static let alias = "c"
    static let selection = """
        SELECT c.id, c.name, c.slug, c.external_customer_id, c.domain,
               COALESCE(c.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, c.created_at,
               COALESCE(c.updated_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), updater.name, c.updated_at
        FROM customer c
        LEFT JOIN "user" creator ON creator.id = c.created_by_id
        LEFT JOIN "user" updater ON updater.id = c.updated_by_id
        """

    typealias Columns = (UUID, String, String, String?, String?, UUID, String?, Date, UUID, String?, Date)

    /// Decodes the customers of a query that starts with `selection`, with their integrations.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [CustomerResource] {
        let rows = try await executor.all(query, as: Columns.self, logger: logger)
        let links = try await IntegrationLinks.customers.links(of: rows.map(\.0), on: executor, logger: logger)
        return rows.map { row in
            CustomerResource(
                id: row.0.lowercased,
                name: row.1,
                slug: row.2,
                externalCustomerId: row.3,
                domain: row.4,
                createdBy: UserReference(id: row.5, name: row.6),
                createdAt: row.7,
                updatedBy: UserReference(id: row.8, name: row.9),
                updatedAt: row.10,
                integrations: links[row.0] ?? [:]
            )
        }
    }

    /// The organization's customer with this slug, locked for the rest of the transaction when `forUpdate`.
    static func find(
        slug: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> CustomerResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE c.organization_id = \(organizationID) AND c.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF c" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }
}

extension CustomerRows {
    /// The id of the organization's customer with this slug, or a 404 with `notFoundCode`. A write locks the
    /// row for the rest of its transaction (`forUpdate`), so that the customer's integrations change one writer
    /// at a time.
    static func id(
        slug: String, organizationID: UUID, notFoundCode: String, forUpdate: Bool = true, on executor: some SQLExecutor, logger: Logger
    ) async throws -> UUID {
        guard
            let id = try await executor.first(
                """
                SELECT id FROM customer WHERE organization_id = \(organizationID) AND slug = \(slug)
                \(unescaped: forUpdate ? "FOR UPDATE" : "")
                """,
                as: UUID.self,
                logger: logger
            )
        else {
            throw APIError.notFound(notFoundCode, "Customer with slug \"\(slug)\" not found")
        }
        return id
    }
}

/// The writable fields of a customer, shared by create and the full-replacement update.
struct CustomerFields {
    static let domainPattern = TextPattern("^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$")

    let name: String
    let externalCustomerID: String?
    let domain: String?

    init(name: String, externalCustomerID: String?, domain: String?) {
        self.name = name
        self.externalCustomerID = externalCustomerID
        self.domain = domain
    }

    init(reading reader: inout JSONObjectReader) {
        name = reader.string("name", required: true, minLength: 1, maxLength: 255) ?? ""
        externalCustomerID = reader.string("externalCustomerId", nullable: true, maxLength: 255)
        domain = reader.string(
            "domain",
            maxLength: 253,
            pattern: CustomerFields.domainPattern
        )
    }
}
