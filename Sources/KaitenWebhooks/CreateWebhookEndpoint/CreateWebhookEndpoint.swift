import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /webhooks/endpoints`: registers an endpoint and answers its signing secret, the only time it is
/// shown (a client may bring its own `whsec_` secret instead).
package enum CreateWebhookEndpoint {
    static let operation = APIOperation("create-webhook-endpoint", .post, "/webhooks/endpoints")
    static let requiredScope = Scope.write(.webhooks)
    static let errorCodePrefix = "CreateWebhookEndpoint"

    package struct Command {
        let fields: EndpointFields
        let secret: String?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = EndpointFields(reading: &reader)
            secret = reader.string("secret", nullable: true, maxLength: 200)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let created = try await module.createEndpoint(command, caller: try context.organizationCaller())
            return try JSONResponse.make(created, status: .created)
        }
    }
}

extension WebhooksModule {
    package func createEndpoint(_ command: CreateWebhookEndpoint.Command, caller: OrganizationCaller) async throws -> CreatedEndpointResource {
        try caller.require(CreateWebhookEndpoint.requiredScope)
        let fields = command.fields
        try fields.validate(operation: CreateWebhookEndpoint.errorCodePrefix, allowPrivate: configuration.allowPrivateAddresses)
        let secret = try WebhookSecret.supplied(command.secret, operation: CreateWebhookEndpoint.errorCodePrefix) ?? .generate()
        let endpoint = try await database.transaction { connection in
            let id = try await connection.first(
                """
                INSERT INTO webhook_endpoint (organization_id, url, description, event_types, enabled, throttle_rate, secret, created_by_id)
                VALUES (\(caller.organizationID), \(fields.url), \(fields.description), \(fields.storedEventTypes), \(fields.enabled),
                        \(fields.throttleRate), \(secret.text), (SELECT id FROM "user" WHERE id = \(caller.userID)))
                RETURNING id
                """,
                as: UUID.self,
                logger: database.logger
            )!
            return try await EndpointRows.find(
                id, organizationID: caller.organizationID, notFound: "CreateWebhookEndpoint.NotFound", on: connection, logger: database.logger)
        }
        return CreatedEndpointResource(endpoint: endpoint, secret: secret.text)
    }
}
