import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /releases/{releaseSlug}`, with the release's components.
enum GetReleaseBySlug {
    static let operation = APIOperation("get-release-by-slug", .get, "/releases/{releaseSlug}")
    static let requiredScope = Scope.read(.releases)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.getRelease(slug: try context.parameters.path("releaseSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension DeploymentsModule {
    package func getRelease(slug: String, caller: OrganizationCaller) async throws -> ReleaseResource {
        try caller.require(GetReleaseBySlug.requiredScope)
        guard
            let release = try await ReleaseRows.find(slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("Release.NotFound", "Release with slug \"\(slug)\" not found")
        }
        return release
    }
}
