import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /feature-flags`.
package enum CreateFeatureFlag {
    static let operation = APIOperation("create-feature-flag", .post, "/feature-flags")
    static let requiredScope = Scope.write(.featureFlags)

    package struct Command {
        let definition: FlagDefinition
        let slug: String?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            slug = reader.slug()
            let definition = FlagDefinition(reading: &reader)
            try reader.finish()
            // A definition is nil only when the reader collected why, which finish() threw.
            self.definition = definition!
        }
    }

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.create(command, caller: try context.organizationCaller()), status: .created)
        }
    }
}

extension FeatureFlagsModule {
    package func create(_ command: CreateFeatureFlag.Command, caller: OrganizationCaller) async throws -> FeatureFlagResource {
        try caller.require(CreateFeatureFlag.requiredScope)
        let definition = command.definition
        try await validate(definition, organizationID: caller.organizationID)
        return try await SlugAttempts.run(
            given: command.slug,
            base: definition.name,
            conflictCode: "CreateFeatureFlag.SlugConflict",
            constraint: "feature_flag_organization_id_slug_key"
        ) { slug in
            try await database.transaction { connection in
                let id = try await connection.first(
                    """
                    INSERT INTO feature_flag (organization_id, slug, name, description, type, variants, targetings, default_variant,
                                              metadata, enabled, event_name)
                    VALUES (\(caller.organizationID), \(slug), \(definition.name), \(definition.description), \(definition.type.rawValue),
                            \(definition.storedVariants)::jsonb, \(definition.storedTargetings)::jsonb, \(definition.storedDefaultVariant)::jsonb,
                            \(definition.storedMetadata)::jsonb, \(definition.enabled), \(definition.eventName))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                let flag = try await FeatureFlagRows.fetch(
                    "\(unescaped: FeatureFlagRows.selection) WHERE f.id = \(id)", on: connection, logger: database.logger)[0]
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: FeatureFlagEvents.created, data: flag),
                    on: connection,
                    logger: database.logger
                )
                return flag
            }
        }
    }
}
