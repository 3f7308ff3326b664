import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /webhooks/endpoints/{endpointId}/secret/rotate`: a new signing secret (generated, or the client's
/// own `whsec_` one). The previous secret keeps signing alongside it for the configured overlap, so
/// receivers can switch without rejecting a delivery.
package enum RotateWebhookSecret {
    static let operation = APIOperation("rotate-webhook-secret", .post, "/webhooks/endpoints/{endpointId}/secret/rotate")
    static let requiredScope = Scope.write(.webhooks)
    static let errorCodePrefix = "RotateWebhookSecret"

    package struct Command {
        let secret: String?

        package init(body: JSONValue?) throws {
            guard let body else {
                secret = nil
                return
            }
            var reader = JSONObjectReader(body)
            secret = reader.string("secret", nullable: true, maxLength: 200)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { request, context in
            let id = try EndpointPath.id(context, notFound: "\(errorCodePrefix).NotFound")
            let command = try Command(body: try await request.optionalJSONBody())
            return try JSONResponse.make(try await module.rotateSecret(id, command, caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    package func rotateSecret(_ id: UUID, _ command: RotateWebhookSecret.Command, caller: OrganizationCaller) async throws -> RotatedSecretResource {
        try caller.require(RotateWebhookSecret.requiredScope)
        let secret = try WebhookSecret.supplied(command.secret, operation: RotateWebhookSecret.errorCodePrefix) ?? .generate()
        guard
            let expiresAt = try await database.first(
                """
                UPDATE webhook_endpoint
                SET previous_secret = secret, secret = \(secret.text),
                    previous_secret_expires_at = COALESCE(\(configuration.clock.databaseNow)::timestamptz, now()) + make_interval(secs => \(configuration.secretOverlap.seconds)),
                    updated_at = now()
                WHERE organization_id = \(caller.organizationID) AND id = \(id)
                RETURNING previous_secret_expires_at
                """,
                as: Date.self,
                logger: database.logger
            )
        else {
            throw EndpointPath.notFound("\(RotateWebhookSecret.errorCodePrefix).NotFound", id.lowercased)
        }
        return RotatedSecretResource(secret: secret.text, previousSecretExpiresAt: expiresAt)
    }
}
