import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `GET /feature-flags/{featureFlagSlug}`.
package enum GetFeatureFlag {
    static let operation = APIOperation("get-feature-flag", .get, "/feature-flags/{featureFlagSlug}")
    static let requiredScope = Scope.read(.featureFlags)

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.get(slug: try context.parameters.path("featureFlagSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension FeatureFlagsModule {
    package func get(slug: String, caller: OrganizationCaller) async throws -> FeatureFlagResource {
        try caller.require(GetFeatureFlag.requiredScope)
        guard
            let flag = try await FeatureFlagRows.find(slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetFeatureFlag.NotFound", "Feature flag with slug \"\(slug)\" not found")
        }
        return flag
    }
}
