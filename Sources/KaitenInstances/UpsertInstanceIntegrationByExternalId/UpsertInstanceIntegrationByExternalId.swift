import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PATCH /integration/{adapter}/instance/{externalId}`: how a connector syncs a record into Kaiten. With no
/// instance linked to the record yet, creates one linked to it, for the customer linked to
/// `customerExternalId` in the same adapter (a name, description, customer, license and license term are then
/// required); otherwise updates what the body sends and keeps the rest, writing the instance's events only
/// when the instance changed.
enum UpsertInstanceIntegrationByExternalId {
    static let operation = APIOperation("upsert-instance-integration-by-external-id", .patch, "/integration/{adapter}/instance/{externalId}")
    static let requiredScope = Scope.write(.instances)

    /// The `InstanceBody`: every member optional, an absent one left as it is.
    struct Command {
        let name: String?
        let slug: String?
        let description: String?
        let customerExternalID: String?
        let licenseID: UUID?
        let deploymentZoneID: UUID?
        let startLicenseDate: Date?
        let endLicenseDate: Date?
        let metadata: [String: JSONValue]?
        let webURL: String?
        let error: String?
        let integrationMetadata: [String: JSONValue]?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            name = reader.string("name", minLength: 1, maxLength: 255)
            slug = reader.slug()
            description = reader.string("description", maxLength: 10_000)
            customerExternalID = reader.string("customerExternalId", maxLength: 1_000)
            licenseID = reader.identifier("licenseId")
            deploymentZoneID = reader.identifier("deploymentZoneId")
            startLicenseDate = reader.timestamp("startLicenseDate")
            endLicenseDate = reader.timestamp("endLicenseDate")
            metadata = reader.object("metadata")
            webURL = reader.string("webUrl", maxLength: 2_048)
            error = reader.string("error", maxLength: 10_000)
            integrationMetadata = reader.object("integrationMetadata")
            try reader.finish()
        }

        /// A member the create path needs, or its 400.
        static func required<Value>(_ value: Value?, code: String, _ member: String) throws -> Value {
            guard let value else {
                throw APIError.validation("UpsertIntegration.\(code)", "\(member) is required to create the instance of a new record")
            }
            return value
        }

        /// A text member as given, trimmed, or a 400 when it is blank.
        static func nonBlank(_ text: String?, code: String, _ member: String) throws -> String? {
            guard let text else { return nil }
            guard let trimmed = IntegrationLinkInput.nonBlank(text) else {
                throw APIError.validation("UpsertIntegration.\(code)", "\(member) cannot be blank")
            }
            return trimmed
        }
    }

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let resource = try await module.upsertInstanceIntegration(
                command,
                adapter: try context.parameters.decodedPath("adapter"),
                externalID: try context.parameters.decodedPath("externalId"),
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(resource)
        }
    }
}

extension InstancesModule {
    func upsertInstanceIntegration(
        _ command: UpsertInstanceIntegrationByExternalId.Command, adapter rawAdapter: String, externalID rawExternalID: String,
        caller: OrganizationCaller
    ) async throws -> InstanceIntegrationResource {
        typealias Command = UpsertInstanceIntegrationByExternalId.Command
        try caller.require(UpsertInstanceIntegrationByExternalId.requiredScope)
        let adapter = try IntegrationAdapter.qualifiedName(rawAdapter)
        guard let externalID = IntegrationLinkInput.nonBlank(rawExternalID) else {
            throw APIError.validation("UpsertIntegration.InvalidExternalID", "the external id cannot be blank")
        }
        let name = try Command.nonBlank(command.name, code: "InstanceNameRequired", "name")
        let customerExternalID = try Command.nonBlank(command.customerExternalID, code: "CustomerExternalIDRequired", "customerExternalId")
        let webURL: String??
        do {
            webURL = try command.webURL.map(IntegrationLinkInput.normalizedWebURL)
        } catch {
            throw APIError.validation("UpsertIntegration.InvalidWebURL", "webUrl must be an absolute http(s) URL")
        }
        let error = command.error.map(IntegrationLinkInput.nonBlank)
        var customerID: UUID?
        if let customerExternalID {
            customerID = try await linkedCustomer(adapter: adapter, externalID: customerExternalID, organizationID: caller.organizationID)
        }

        if try await linkedInstance(adapter: adapter, externalID: externalID, organizationID: caller.organizationID, on: database) == nil {
            let fields = InstanceFields(
                name: try Command.required(name, code: "InstanceNameRequired", "name"),
                description: try Command.required(
                    try Command.nonBlank(command.description, code: "InstanceDescriptionRequired", "description"),
                    code: "InstanceDescriptionRequired", "description"),
                customerID: try Command.required(customerID, code: "CustomerExternalIDRequired", "customerExternalId"),
                licenseID: try Command.required(command.licenseID, code: "LicenseIDRequired", "licenseId"),
                deploymentZoneID: command.deploymentZoneID,
                startLicenseDate: try Command.required(command.startLicenseDate, code: "StartLicenseDateRequired", "startLicenseDate"),
                endLicenseDate: try Command.required(command.endLicenseDate, code: "EndLicenseDateRequired", "endLicenseDate"),
                metadata: command.metadata ?? [:],
                slug: command.slug,
                integrations: [:]
            )
            let link = IntegrationLinkInput(
                externalID: externalID, metadata: command.integrationMetadata ?? [:], webURL: webURL ?? nil, lastError: error ?? nil)
            let instance = try await create(CreateInstance.Command(fields: fields, integrations: [adapter: link]), caller: caller)
            return InstanceIntegrationResource(
                instance: instance, link: instance.integrations![adapter]!, customerExternalID: customerExternalID)
        }

        return try await database.transaction { connection in
            guard
                let (id, link) = try await IntegrationLinks.instances.owner(
                    adapter: adapter, externalID: externalID, organizationID: caller.organizationID, on: connection, logger: database.logger)
            else {
                throw APIError.notFound("Integration.InstanceNotFound", "no instance is linked to \"\(externalID)\" of \"\(adapter)\"")
            }
            let current = try await InstanceRows.get(id: id, forUpdate: true, on: connection, logger: database.logger)
            let fields = InstanceFields(
                name: name ?? current.name,
                description: command.description ?? current.description,
                customerID: customerID ?? UUID(uuidString: current.customerId)!,
                licenseID: command.licenseID ?? UUID(uuidString: current.licenseId)!,
                deploymentZoneID: command.deploymentZoneID,
                startLicenseDate: command.startLicenseDate ?? current.startLicenseDate,
                endLicenseDate: command.endLicenseDate ?? current.endLicenseDate,
                metadata: command.metadata ?? current.metadata,
                slug: command.slug == current.slug ? nil : command.slug,
                integrations: [:]
            )
            if fields.differs(from: current) {
                do {
                    try await replace(slug: current.slug, with: fields, caller: caller, on: connection)
                } catch {
                    throw UpdateInstance.clientError(error, fields: fields) ?? error
                }
            }
            let newLink = IntegrationLinkInput(
                externalID: externalID, metadata: command.integrationMetadata ?? link.metadata, webURL: webURL ?? link.webURL,
                lastError: error ?? link.lastError
            )
            if !IntegrationLinkInput.echo([adapter: newLink], of: [adapter: link]) {
                _ = try await IntegrationLinks.instances.save(
                    newLink, adapter: adapter, owner: id, organizationID: caller.organizationID,
                    conflictCode: "Integration.InstanceExternalIDConflict", on: connection, logger: database.logger
                )
            }
            guard
                let resource = try await linkedInstance(
                    adapter: adapter, externalID: externalID, organizationID: caller.organizationID, on: connection)
            else {
                throw APIError.notFound("Integration.InstanceNotFound", "no instance is linked to \"\(externalID)\" of \"\(adapter)\"")
            }
            return resource
        }
    }

    /// The organization's customer linked to this record of the adapter, or a 404.
    private func linkedCustomer(adapter: String, externalID: String, organizationID: UUID) async throws -> UUID {
        guard
            let id = try await database.first(
                """
                SELECT customer_id FROM customer_integration
                WHERE organization_id = \(organizationID) AND adapter = \(adapter) AND external_id = \(externalID)
                """,
                as: UUID.self,
                logger: database.logger
            )
        else {
            throw APIError.notFound("Integration.CustomerNotFound", "no customer is linked to \"\(externalID)\" of \"\(adapter)\"")
        }
        return id
    }
}

extension InstanceFields {
    /// Whether writing these fields would change the instance (a left-out zone or slug keeps the current one).
    func differs(from instance: InstanceResource) -> Bool {
        name != instance.name || description != instance.description || customerID.lowercased != instance.customerId
            || licenseID.lowercased != instance.licenseId
            || (deploymentZoneID != nil && deploymentZoneID?.lowercased != instance.deploymentZoneId)
            || startLicenseDate != instance.startLicenseDate || endLicenseDate != instance.endLicenseDate || metadata != instance.metadata
            || slug != nil
    }
}
