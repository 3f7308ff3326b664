import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /webhooks/endpoints`: newest first, one page at a time.
enum ListEndpoints {
    static let requiredScope = Scope.read(.webhooks)

    static func register(on router: RouterGroup<KaitenRequestContext>, module: WebhooksModule) {
        router.get("/webhooks/endpoints") { request, context in
            try JSONResponse.make(try await module.listEndpoints(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    func listEndpoints(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<EndpointResource> {
        try caller.require(ListEndpoints.requiredScope)
        let endpoints = try await EndpointRows.page(page, organizationID: caller.organizationID, on: database.client, logger: database.logger)
        return Page(rows: endpoints, request: page)
    }
}
