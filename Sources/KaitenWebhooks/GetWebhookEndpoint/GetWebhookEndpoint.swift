import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `GET /webhooks/endpoints/{endpointId}`.
enum GetWebhookEndpoint {
    static let operation = APIOperation("get-webhook-endpoint", .get, "/webhooks/endpoints/{endpointId}")
    static let requiredScope = Scope.read(.webhooks)

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { _, context in
            let id = try EndpointPath.id(context, notFound: "GetWebhookEndpoint.NotFound")
            return try JSONResponse.make(try await module.getEndpoint(id, caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    func getEndpoint(_ id: UUID, caller: OrganizationCaller) async throws -> EndpointResource {
        try caller.require(GetWebhookEndpoint.requiredScope)
        return try await EndpointRows.find(
            id, organizationID: caller.organizationID, notFound: "GetWebhookEndpoint.NotFound", on: database, logger: database.logger)
    }
}
