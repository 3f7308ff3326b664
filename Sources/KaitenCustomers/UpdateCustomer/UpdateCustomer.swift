import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /customers/{customerSlug}`: a full replacement. The external id and the domain are cleared when
/// left out; the slug and integrations cannot change here, but may be sent back as they are.
package enum UpdateCustomer {
    static let operation = APIOperation("update-customer", .put, "/customers/{customerSlug}")
    static let requiredScope = Scope.write(.customers)

    package struct Command {
        let fields: CustomerFields
        let slug: String?
        let integrations: [String: IntegrationLinkInput]

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = CustomerFields(reading: &reader)
            slug = reader.slug()
            integrations = reader.integrationLinks() ?? [:]
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.update(slug: try context.parameters.path("customerSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension CustomersModule {
    package func update(slug: String, _ command: UpdateCustomer.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateCustomer.requiredScope)
        if let newSlug = command.slug, newSlug != slug {
            throw APIError.unprocessable(
                "UpdateCustomer.SlugNotRenameable", "slug cannot be changed through this endpoint; omit it or send the current slug")
        }
        let fields = command.fields
        try await database.transaction { connection in
            if !command.integrations.isEmpty {
                let current = try await CustomerRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger)
                if let current, !IntegrationLinkInput.echo(command.integrations, of: current.integrations) {
                    throw APIError.unprocessable(
                        "UpdateCustomer.IntegrationsNotSettable",
                        "integrations cannot be changed through this endpoint; leave them out or use the integration endpoints"
                    )
                }
            }
            let id = try await connection.first(
                """
                UPDATE customer SET name = \(fields.name), external_customer_id = \(fields.externalCustomerID), domain = \(fields.domain),
                                    updated_by_id = \(caller.userID), updated_at = now()
                WHERE organization_id = \(caller.organizationID) AND slug = \(slug)
                RETURNING id
                """,
                as: UUID.self,
                logger: database.logger
            )
            guard let id else { throw APIError.notFound("UpdateCustomer.NotFound", "customer \"\(slug)\" not found") }
            let customer = try await CustomerRows.fetch(
                "\(unescaped: CustomerRows.selection) WHERE c.id = \(id)", on: connection, logger: database.logger)[0]
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: CustomerEvents.updated, data: customer),
                on: connection,
                logger: database.logger
            )
        }
    }
}
