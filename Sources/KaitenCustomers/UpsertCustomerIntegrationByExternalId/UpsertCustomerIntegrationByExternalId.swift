import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PATCH /integration/{adapter}/customer/{externalId}`: how a connector syncs a record into Kaiten. With no
/// customer linked to the record yet, creates one linked to it (a name is then required); otherwise updates
/// what the body sends and keeps the rest. The customer's event is written only when the customer changed.
enum UpsertCustomerIntegrationByExternalId {
    static let operation = APIOperation("upsert-customer-integration-by-external-id", .patch, "/integration/{adapter}/customer/{externalId}")
    static let requiredScope = Scope.write(.customers)

    /// The `CustomerBody`: every member optional, an absent one left as it is.
    struct Command {
        let name: String?
        let slug: String?
        let domain: String?
        let webURL: String?
        let error: String?
        let integrationMetadata: [String: JSONValue]?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            name = reader.string("name", minLength: 1, maxLength: 255)
            slug = reader.slug()
            domain = reader.string("domain", maxLength: 253, pattern: CustomerFields.domainPattern)
            webURL = reader.string("webUrl", maxLength: 2_048)
            error = reader.string("error", maxLength: 10_000)
            integrationMetadata = reader.object("integrationMetadata")
            try reader.finish()
        }

        /// The name as given, trimmed, or a 400 when it is blank.
        func trimmedName() throws -> String? {
            guard let name else { return nil }
            guard let trimmed = IntegrationLinkInput.nonBlank(name) else {
                throw APIError.validation("UpsertIntegration.CustomerNameRequired", "the customer's name cannot be blank")
            }
            return trimmed
        }

        /// The web URL as given and normalized (nil inside for a blank one, which clears it), or a 400.
        func normalizedWebURL() throws -> String?? {
            guard let webURL else { return nil }
            do {
                return .some(try IntegrationLinkInput.normalizedWebURL(webURL))
            } catch {
                throw APIError.validation("UpsertIntegration.InvalidWebURL", "webUrl must be an absolute http(s) URL")
            }
        }
    }

    static func register(on router: OperationRouter, module: CustomersModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let resource = try await module.upsertCustomerIntegration(
                command,
                adapter: try context.parameters.decodedPath("adapter"),
                externalID: try context.parameters.decodedPath("externalId"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(resource)
        }
    }
}

extension CustomersModule {
    func upsertCustomerIntegration(
        _ command: UpsertCustomerIntegrationByExternalId.Command, adapter rawAdapter: String, externalID rawExternalID: String,
        caller: OrganizationCaller
    ) async throws -> CustomerIntegrationResource {
        try caller.require(UpsertCustomerIntegrationByExternalId.requiredScope)
        let adapter = try IntegrationAdapter.qualifiedName(rawAdapter)
        guard let externalID = IntegrationLinkInput.nonBlank(rawExternalID) else {
            throw APIError.validation("UpsertIntegration.InvalidExternalID", "the external id cannot be blank")
        }
        let name = try command.trimmedName()
        let webURL = try command.normalizedWebURL()
        let error = command.error.map(IntegrationLinkInput.nonBlank)
        let linked = try await IntegrationLinks.customers.owner(
            adapter: adapter, externalID: externalID, organizationID: caller.organizationID, on: database, logger: database.logger)
        guard linked != nil else {
            guard let name else {
                throw APIError.validation("UpsertIntegration.CustomerNameRequired", "a name is required to create the customer of a new record")
            }
            let link = IntegrationLinkInput(
                externalID: externalID, metadata: command.integrationMetadata ?? [:], webURL: webURL ?? nil, lastError: error ?? nil)
            let customer = try await create(
                CreateCustomer.Command(
                    fields: CustomerFields(name: name, externalCustomerID: nil, domain: command.domain), slug: command.slug,
                    integrations: [adapter: link]
                ),
                caller: caller
            )
            return CustomerIntegrationResource(customer: customer, link: customer.integrations[adapter]!)
        }
        do {
            return try await database.transaction { connection in
                guard
                    let (current, link) = try await linkedCustomer(
                        adapter: adapter, externalID: externalID, organizationID: caller.organizationID, forUpdate: true, on: connection)
                else {
                    throw APIError.notFound("Integration.CustomerNotFound", "no customer is linked to \"\(externalID)\" of \"\(adapter)\"")
                }
                let newName = name ?? current.name
                let newSlug = command.slug ?? current.slug
                let newDomain = command.domain ?? current.domain
                let customerChanged = newName != current.name || newSlug != current.slug || newDomain != current.domain
                let customerID = UUID(uuidString: current.id)!
                if customerChanged {
                    try await connection.execute(
                        """
                        UPDATE customer SET name = \(newName), slug = \(newSlug), domain = \(newDomain),
                                            updated_by_id = \(caller.userID), updated_at = now()
                        WHERE id = \(customerID)
                        """,
                        logger: database.logger
                    )
                }
                let newLink = IntegrationLinkInput(
                    externalID: externalID, metadata: command.integrationMetadata ?? link.metadata, webURL: webURL ?? link.webURL,
                    lastError: error ?? link.lastError
                )
                if !IntegrationLinkInput.echo([adapter: newLink], of: [adapter: link]) {
                    _ = try await IntegrationLinks.customers.save(
                        newLink, adapter: adapter, owner: customerID, organizationID: caller.organizationID,
                        conflictCode: "Integration.CustomerExternalIDConflict", on: connection, logger: database.logger
                    )
                }
                let customer = try await CustomerRows.fetch(
                    "\(unescaped: CustomerRows.selection) WHERE c.id = \(customerID)", on: connection, logger: database.logger)[0]
                if customerChanged {
                    try await Outbox.append(
                        OutboxMessage(organizationID: caller.organizationID, event: CustomerEvents.updated, data: customer),
                        on: connection,
                        logger: database.logger
                    )
                }
                return CustomerIntegrationResource(customer: customer, link: customer.integrations[adapter]!)
            }
        } catch {
            if let failure = PostgresFailure(error), failure.isUniqueViolation, failure.constraint == "customer_organization_id_slug_key" {
                throw APIError.conflict(
                    "Integration.CustomerSlugConflict", "Customer with slug \"\(command.slug ?? "")\" already exists in this organization")
            }
            throw error
        }
    }
}
