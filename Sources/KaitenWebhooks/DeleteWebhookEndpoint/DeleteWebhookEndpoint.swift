import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /webhooks/endpoints/{endpointId}`: the endpoint, its pending deliveries and its attempt log.
enum DeleteWebhookEndpoint {
    static let operation = APIOperation("delete-webhook-endpoint", .delete, "/webhooks/endpoints/{endpointId}")
    static let requiredScope = Scope.write(.webhooks)

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { _, context in
            let id = try EndpointPath.id(context, notFound: "DeleteWebhookEndpoint.NotFound")
            try await module.deleteEndpoint(id, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension WebhooksModule {
    package func deleteEndpoint(_ id: UUID, caller: OrganizationCaller) async throws {
        try caller.require(DeleteWebhookEndpoint.requiredScope)
        let deleted = try await database.first(
            "DELETE FROM webhook_endpoint WHERE organization_id = \(caller.organizationID) AND id = \(id) RETURNING id",
            as: UUID.self,
            logger: database.logger
        )
        guard deleted != nil else { throw EndpointPath.notFound("DeleteWebhookEndpoint.NotFound", id.lowercased) }
    }
}
