import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /webhooks/endpoints/{endpointId}`: a full replacement of URL, description, filter, `enabled` and
/// `throttleRate`.
/// Enabling a disabled endpoint clears why it was disabled and its failure streak; deliveries that were
/// waiting go out again.
package enum UpdateWebhookEndpoint {
    static let operation = APIOperation("update-webhook-endpoint", .put, "/webhooks/endpoints/{endpointId}")
    static let requiredScope = Scope.write(.webhooks)
    static let errorCodePrefix = "UpdateWebhookEndpoint"

    package struct Command {
        let fields: EndpointFields

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = EndpointFields(reading: &reader)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            let id = try EndpointPath.id(context, notFound: "\(errorCodePrefix).NotFound")
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.updateEndpoint(id, command, caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    package func updateEndpoint(_ id: UUID, _ command: UpdateWebhookEndpoint.Command, caller: OrganizationCaller) async throws -> EndpointResource {
        try caller.require(UpdateWebhookEndpoint.requiredScope)
        let fields = command.fields
        try fields.validate(operation: UpdateWebhookEndpoint.errorCodePrefix, allowPrivate: configuration.allowPrivateAddresses)
        return try await database.transaction { connection in
            let updated = try await connection.first(
                """
                UPDATE webhook_endpoint
                SET url = \(fields.url), description = \(fields.description), event_types = \(fields.storedEventTypes),
                    enabled = \(fields.enabled), throttle_rate = \(fields.throttleRate),
                    disabled_reason = CASE WHEN \(fields.enabled) THEN NULL
                                           WHEN enabled THEN 'disabled through the API' ELSE disabled_reason END,
                    disabled_at = CASE WHEN \(fields.enabled) THEN NULL WHEN enabled THEN now() ELSE disabled_at END,
                    failing_since = CASE WHEN \(fields.enabled) AND NOT enabled THEN NULL ELSE failing_since END,
                    updated_at = now()
                WHERE organization_id = \(caller.organizationID) AND id = \(id)
                RETURNING id
                """,
                as: UUID.self,
                logger: database.logger
            )
            guard updated != nil else { throw EndpointPath.notFound("\(UpdateWebhookEndpoint.errorCodePrefix).NotFound", id.lowercased) }
            return try await EndpointRows.find(
                id, organizationID: caller.organizationID, notFound: "\(UpdateWebhookEndpoint.errorCodePrefix).NotFound", on: connection,
                logger: database.logger
            )
        }
    }
}
