import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /feature-flags/{featureFlagSlug}`. The event carries the flag as it was just before.
enum DeleteFeatureFlag {
    static let operation = APIOperation("delete-feature-flag", .delete, "/feature-flags/{featureFlagSlug}")
    static let requiredScope = Scope.write(.featureFlags)

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { _, context in
            try await module.delete(slug: try context.parameters.path("featureFlagSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension FeatureFlagsModule {
    func delete(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteFeatureFlag.requiredScope)
        try await database.transaction { connection in
            guard
                let flag = try await FeatureFlagRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("DeleteFeatureFlag.NotFound", "Feature flag with slug \"\(slug)\" not found")
            }
            try await connection.execute("DELETE FROM feature_flag WHERE id = \(UUID(uuidString: flag.id)!)", logger: database.logger)
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: FeatureFlagEvents.deleted, data: flag),
                on: connection,
                logger: database.logger
            )
        }
    }
}
