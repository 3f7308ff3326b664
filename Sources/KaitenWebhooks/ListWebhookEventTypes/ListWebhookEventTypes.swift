import Hummingbird
import KaitenCore
import KaitenHTTP

/// `GET /webhooks/event-types`: every event an endpoint can subscribe to, as the contract catalogues them.
package enum ListWebhookEventTypes {
    static let operation = APIOperation("list-webhook-event-types", .get, "/webhooks/event-types")
    static let requiredScope = Scope.read(.webhooks)

    package struct Listing: Encodable {
        package let items: [EventTypeResource]
    }

    static func register(on router: OperationRouter, module: WebhooksModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try module.listEventTypes(caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    package func listEventTypes(caller: OrganizationCaller) throws -> ListWebhookEventTypes.Listing {
        try caller.require(ListWebhookEventTypes.requiredScope)
        return ListWebhookEventTypes.Listing(items: EventCatalogue.all.map { EventTypeResource(name: $0.name, type: $0.type) })
    }
}
