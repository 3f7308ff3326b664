import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /feature-flags/{featureFlagSlug}`: a full replacement of the definition; the slug stays.
package enum UpdateFeatureFlag {
    static let operation = APIOperation("update-feature-flag", .put, "/feature-flags/{featureFlagSlug}")
    static let requiredScope = Scope.write(.featureFlags)

    package struct Command {
        let definition: FlagDefinition

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            // The slug names the flag in the path; one echoed back from a GET is ignored.
            _ = reader.slug()
            let definition = FlagDefinition(reading: &reader)
            try reader.finish()
            self.definition = definition!
        }
    }

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.update(slug: try context.parameters.path("featureFlagSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension FeatureFlagsModule {
    package func update(slug: String, _ command: UpdateFeatureFlag.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateFeatureFlag.requiredScope)
        let definition = command.definition
        try await validate(definition, organizationID: caller.organizationID)
        try await database.transaction { connection in
            guard
                let id = try await connection.first(
                    """
                    UPDATE feature_flag SET name = \(definition.name), description = \(definition.description), type = \(definition.type.rawValue),
                           variants = \(definition.storedVariants)::jsonb, targetings = \(definition.storedTargetings)::jsonb,
                           default_variant = \(definition.storedDefaultVariant)::jsonb, metadata = \(definition.storedMetadata)::jsonb,
                           enabled = \(definition.enabled), event_name = \(definition.eventName), updated_at = now()
                    WHERE organization_id = \(caller.organizationID) AND slug = \(slug)
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )
            else {
                throw APIError.notFound("UpdateFeatureFlag.NotFound", "Feature flag with slug \"\(slug)\" not found")
            }
            let flag = try await FeatureFlagRows.fetch(
                "\(unescaped: FeatureFlagRows.selection) WHERE f.id = \(id)", on: connection, logger: database.logger)[0]
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: FeatureFlagEvents.updated, data: flag),
                on: connection,
                logger: database.logger
            )
        }
    }
}
