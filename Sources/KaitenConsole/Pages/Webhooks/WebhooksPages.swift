import Foundation
import Hummingbird
import KaitenCore
import KaitenWebhooks
import PostgresNIO

/// The webhook pages: the endpoints, one endpoint with its secret, messages and attempts, the endpoint form,
/// and the actions (test, replay, rotate, retry, delete), whose writes are the Webhooks module's use cases.
struct WebhooksPages: Sendable {
    let database: Database
    let webhooks: WebhooksModule

    func register(on routes: ConsoleRoutes) {
        routes.page("webhooks") { console in console.render(try await list(console)) }
        routes.page("webhooks/new") { console in console.render(try editor(console, endpoint: nil)) }
        routes.form("webhooks") { console, form in try await create(console, form) }
        routes.page("webhooks/:endpoint") { console in console.render(try await detail(console, id: try endpointID(console))) }
        routes.page("webhooks/:endpoint/edit") { console in
            console.render(try editor(console, endpoint: try await endpoint(console, id: try endpointID(console))))
        }
        routes.form("webhooks/:endpoint") { console, form in try await update(console, form, id: try endpointID(console)) }
        routes.page("webhooks/:endpoint/delete") { console in
            let endpoint = try await endpoint(console, id: try endpointID(console))
            return console.render(
                Page(
                    template: "confirm-delete", title: "Delete \(endpoint.url)", section: .webhooks,
                    data: [
                        "kind": "webhook endpoint", "name": endpoint.url, "action": "\(endpoint.link)/delete", "cancel": endpoint.link,
                        "consequence": "The endpoint, its pending deliveries and its delivery log are deleted.",
                    ]))
        }
        routes.form("webhooks/:endpoint/delete") { console, _ in
            let id = try endpointID(console)
            try await webhooks.deleteEndpoint(id, caller: console.caller)
            return console.redirect(to: "/console/webhooks", notice: "Webhook endpoint deleted.")
        }
        routes.page("webhooks/:endpoint/rotate") { console in
            let endpoint = try await endpoint(console, id: try endpointID(console))
            return console.render(
                Page(template: "webhook-rotate", title: "Rotate the secret of \(endpoint.url)", section: .webhooks, data: ["endpoint": endpoint.data])
            )
        }
        routes.form("webhooks/:endpoint/rotate") { console, _ in
            let id = try endpointID(console)
            let rotated = try await webhooks.rotateSecret(id, try RotateWebhookSecret.Command(body: nil), caller: console.caller)
            return console.redirect(
                to: "/console/webhooks/\(id.lowercased)",
                notice: "Secret rotated. The previous secret keeps signing until \(Format.date(rotated.previousSecretExpiresAt)).")
        }
        routes.form("webhooks/:endpoint/test") { console, _ in
            let id = try endpointID(console)
            _ = try await webhooks.sendTestMessage(id, caller: console.caller)
            return console.redirect(to: "/console/webhooks/\(id.lowercased)", notice: "Test message queued.")
        }
        routes.form("webhooks/:endpoint/replay") { console, form in try await replay(console, form, id: try endpointID(console)) }
        routes.form("webhooks/:endpoint/messages/:message/retry") { console, _ in
            let id = try endpointID(console)
            guard let message = UUID(uuidString: try console.parameter("message")) else {
                throw APIError.notFound("Console.WebhookMessageNotFound", "message not found")
            }
            _ = try await webhooks.retryMessage(message, endpointID: id, caller: console.caller)
            return console.redirect(to: "/console/webhooks/\(id.lowercased)", notice: "Message queued for another attempt.")
        }
    }

    /// The endpoint id of the path; anything else is the 404 of an endpoint that does not exist.
    func endpointID(_ console: ConsoleRequest) throws -> UUID {
        let text = try console.parameter("endpoint")
        guard let id = UUID(uuidString: text) else {
            throw APIError.notFound("Console.WebhookEndpointNotFound", "webhook endpoint \"\(text)\" not found")
        }
        return id
    }
}
