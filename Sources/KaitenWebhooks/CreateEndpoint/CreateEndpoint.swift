import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /webhooks/endpoints`: registers an endpoint and answers its signing secret, the only time it is
/// shown (a client may bring its own `whsec_` secret instead).
enum CreateEndpoint {
    static let requiredScope = Scope.write(.webhooks)
    static let operation = "CreateWebhookEndpoint"

    struct Command {
        let fields: EndpointFields
        let secret: String?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = EndpointFields(reading: &reader)
            secret = reader.string("secret", nullable: true, maxLength: 200)
            try reader.finish()
        }
    }

    static func register(on router: RouterGroup<KaitenRequestContext>, module: WebhooksModule) {
        router.post("/webhooks/endpoints") { request, context in
            let command = try Command(body: try await request.jsonBody())
            let created = try await module.createEndpoint(command, caller: try context.organizationCaller())
            return try JSONResponse.make(created, status: .created)
        }
    }
}

extension WebhooksModule {
    func createEndpoint(_ command: CreateEndpoint.Command, caller: OrganizationCaller) async throws -> CreatedEndpointResource {
        try caller.require(CreateEndpoint.requiredScope)
        let fields = command.fields
        try fields.validate(operation: CreateEndpoint.operation, allowPrivate: configuration.allowPrivateAddresses)
        let secret = try WebhookSecret.supplied(command.secret, operation: CreateEndpoint.operation) ?? .generate()
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
            return try await EndpointRows.find(id, organizationID: caller.organizationID, notFound: "CreateWebhookEndpoint.NotFound", on: connection, logger: database.logger)
        }
        return CreatedEndpointResource(endpoint: endpoint, secret: secret.text)
    }
}
