import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /instances/{instanceSlug}`. Another organization's instance is not found, never forbidden.
package enum GetInstance {
    static let operation = APIOperation("getInstance", .get, "/instances/{instanceSlug}")
    static let requiredScope = Scope.read(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try await module.get(slug: try context.parameters.path("instanceSlug"), caller: try context.organizationCaller()))
        }
    }

    static func notFound(_ slug: String) -> APIError {
        .notFound("GetInstance.NotFound", "Instance with slug \"\(slug)\" not found")
    }
}

extension InstancesModule {
    package func get(slug: String, caller: OrganizationCaller) async throws -> InstanceResource {
        try caller.require(GetInstance.requiredScope)
        guard
            let instance = try await InstanceRows.find(
                slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw GetInstance.notFound(slug)
        }
        return instance
    }
}
