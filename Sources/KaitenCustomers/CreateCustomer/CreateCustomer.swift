import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /customers`, with the customer's integrations if any: the only write that sets several at once.
package enum CreateCustomer {
    static let operation = APIOperation("create-customer", .post, "/customers")
    static let requiredScope = Scope.write(.customers)

    package struct Command {
        let fields: CustomerFields
        let slug: String?
        let integrations: [String: IntegrationLinkInput]

        init(fields: CustomerFields, slug: String?, integrations: [String: IntegrationLinkInput]) {
            self.fields = fields
            self.slug = slug
            self.integrations = integrations
        }

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = CustomerFields(reading: &reader)
            slug = reader.slug()
            let integrations = reader.integrationLinks()
            try reader.finish()
            self.integrations = try IntegrationLinkInput.normalized(integrations ?? [:], operation: "CreateCustomer")
        }
    }

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let customer = try await module.create(command, caller: try context.organizationCaller())
            return try JSONResponse.make(customer, status: .created)
        }
    }
}

extension CustomersModule {
    package func create(_ command: CreateCustomer.Command, caller: OrganizationCaller) async throws -> CustomerResource {
        try caller.require(CreateCustomer.requiredScope)
        let fields = command.fields
        return try await SlugAttempts.run(
            given: command.slug, base: fields.name, conflictCode: "CreateCustomer.SlugConflict", constraint: "customer_organization_id_slug_key"
        ) { slug in
            try await database.transaction { connection in
                let id = try await connection.first(
                    """
                    INSERT INTO customer (organization_id, name, slug, external_customer_id, domain, created_by_id, updated_by_id)
                    VALUES (\(caller.organizationID), \(fields.name), \(slug), \(fields.externalCustomerID), \(fields.domain),
                            \(caller.userID), \(caller.userID))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                try await IntegrationLinks.customers.saveAll(
                    command.integrations, owner: id, organizationID: caller.organizationID, conflictCode: "CreateCustomer.ExternalIDConflict",
                    on: connection, logger: database.logger
                )
                let customer = try await CustomerRows.fetch(
                    "\(unescaped: CustomerRows.selection) WHERE c.id = \(id)", on: connection, logger: database.logger)[0]
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: CustomerEvents.created, data: customer),
                    on: connection,
                    logger: database.logger
                )
                return customer
            }
        }
    }
}
