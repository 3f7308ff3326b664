import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /components`. A component may name the version it follows with `previousComponentId`.
package enum CreateComponent {
    static let operation = APIOperation("create-component", .post, "/components")
    static let requiredScope = Scope.write(.components)

    package struct Command {
        let fields: ComponentFields
        let previousComponentID: UUID?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = ComponentFields(reading: &reader)
            previousComponentID = reader.identifier("previousComponentId")
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let component = try await module.createComponent(command, caller: try context.organizationCaller())
            return try JSONResponse.make(component, status: .created)
        }
    }
}

extension DeploymentsModule {
    package func createComponent(_ command: CreateComponent.Command, caller: OrganizationCaller) async throws -> ComponentResource {
        try caller.require(CreateComponent.requiredScope)
        let fields = command.fields
        do {
            return try await SlugAttempts.run(
                given: fields.slug,
                base: fields.slugBase,
                conflictCode: "Component.SlugConflict",
                constraint: "component_organization_id_slug_key"
            ) { slug in
                try await database.transaction { connection in
                    let id = try await ComponentRows.insert(
                        fields, slug: slug, description: fields.description, previousComponentID: command.previousComponentID, caller: caller,
                        on: connection, logger: database.logger
                    )
                    let component = try await ComponentRows.get(id: id, on: connection, logger: database.logger)
                    try await Outbox.append(
                        OutboxMessage(organizationID: caller.organizationID, event: ComponentEvents.created, data: component),
                        on: connection,
                        logger: database.logger
                    )
                    return component
                }
            }
        } catch {
            throw ComponentRows.clientError(error, name: fields.name, version: fields.version, previousComponentID: command.previousComponentID)
                ?? error
        }
    }
}
