import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /webhooks/endpoints`: newest first, one page at a time.
enum ListWebhookEndpoints {
    static let operation = APIOperation("list-webhook-endpoints", .get, "/webhooks/endpoints")
    static let requiredScope = Scope.read(.webhooks)

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            try JSONResponse.make(try await module.listEndpoints(try request.pageRequest(), caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    func listEndpoints(_ page: PageRequest, caller: OrganizationCaller) async throws -> Page<EndpointResource> {
        try caller.require(ListWebhookEndpoints.requiredScope)
        let endpoints = try await EndpointRows.page(page, organizationID: caller.organizationID, on: database, logger: database.logger)
        return Page(rows: endpoints, request: page)
    }
}
