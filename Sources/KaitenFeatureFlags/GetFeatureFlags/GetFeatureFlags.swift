import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `GET /feature-flags`: newest first, one page at a time.
enum GetFeatureFlags {
    static let operation = APIOperation("get-feature-flags", .get, "/feature-flags")
    static let requiredScope = Scope.read(.featureFlags)

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.list(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension FeatureFlagsModule {
    func list(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<FeatureFlagResource> {
        try caller.require(GetFeatureFlags.requiredScope)
        let flags = try await FeatureFlagRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: flags, request: page)
    }
}
