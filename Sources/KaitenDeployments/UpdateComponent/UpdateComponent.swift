import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /components/{componentSlug}`, answered with the resulting component.
///
/// A component no release holds is replaced in place (a left-out slug or description is kept). A component a
/// release holds is never edited, since the release must keep describing what it shipped: the change is written
/// as a new component whose `previousComponentId` is the held one, under the given slug or a generated one, and
/// it must differ in name or version.
enum UpdateComponent {
    static let operation = APIOperation("update-component", .put, "/components/{componentSlug}")
    static let requiredScope = Scope.write(.components)

    struct Command {
        let fields: ComponentFields
        let setsPreviousComponent: Bool

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = ComponentFields(reading: &reader)
            setsPreviousComponent = reader.identifier("previousComponentId") != nil
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let component = try await module.updateComponent(
                slug: try context.parameters.path("componentSlug"), command, caller: try context.organizationCaller())
            return try JSONResponse.make(component)
        }
    }
}

extension DeploymentsModule {
    func updateComponent(slug: String, _ command: UpdateComponent.Command, caller: OrganizationCaller) async throws -> ComponentResource {
        try caller.require(UpdateComponent.requiredScope)
        if command.setsPreviousComponent {
            throw APIError.unprocessable(
                "UpdateComponent.PreviousComponentNotSettable",
                "previousComponentId cannot be changed through this endpoint; it is set once, at creation"
            )
        }
        let fields = command.fields
        do {
            // The candidate slug only names a new version; an in-place update keeps the current slug unless one is given.
            return try await SlugAttempts.run(
                given: fields.slug,
                base: fields.slugBase,
                conflictCode: "Component.SlugConflict",
                constraint: "component_organization_id_slug_key"
            ) { candidate in
                try await database.transaction { connection in
                    guard
                        let current = try await ComponentRows.find(
                            slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger)
                    else {
                        throw ComponentRows.notFound(slug: slug)
                    }
                    let currentID = UUID(uuidString: current.id)!
                    let isHeld = try await ComponentRows.releaseCount(of: currentID, on: connection, logger: database.logger) > 0
                    let description = fields.description ?? current.description
                    let id: UUID
                    if isHeld {
                        guard current.name != fields.name || current.version != fields.version else {
                            throw APIError.validation(
                                "UpdateComponent.LinkedComponentRequiresNewVersion",
                                "Component \"\(current.slug)\" is linked to releases and requires a new version when updated"
                            )
                        }
                        id = try await ComponentRows.insert(
                            fields, slug: candidate, description: description, previousComponentID: currentID, caller: caller,
                            on: connection, logger: database.logger
                        )
                    } else {
                        id = currentID
                        try await connection.execute(
                            """
                            UPDATE component
                            SET name = \(fields.name), version = \(fields.version), slug = \(fields.slug ?? current.slug), description = \(description)
                            WHERE id = \(currentID)
                            """,
                            logger: database.logger
                        )
                    }
                    let component = try await ComponentRows.get(id: id, on: connection, logger: database.logger)
                    try await Outbox.append(
                        OutboxMessage(organizationID: caller.organizationID, event: ComponentEvents.updated, data: component),
                        on: connection,
                        logger: database.logger
                    )
                    return component
                }
            }
        } catch {
            throw ComponentRows.clientError(error, name: fields.name, version: fields.version, previousComponentID: nil) ?? error
        }
    }
}
