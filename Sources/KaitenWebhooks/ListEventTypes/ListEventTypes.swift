import Hummingbird
import KaitenCore
import KaitenHTTP

/// `GET /webhooks/event-types`: every event an endpoint can subscribe to, as the contract catalogues them.
enum ListEventTypes {
    static let requiredScope = Scope.read(.webhooks)

    struct Listing: Encodable {
        let items: [EventTypeResource]
    }

    static func register(on router: RouterGroup<KaitenRequestContext>, module: WebhooksModule) {
        router.get("/webhooks/event-types") { _, context in
            try JSONResponse.make(try module.listEventTypes(caller: try context.organizationCaller()))
        }
    }
}

extension WebhooksModule {
    func listEventTypes(caller: OrganizationCaller) throws -> ListEventTypes.Listing {
        try caller.require(ListEventTypes.requiredScope)
        return ListEventTypes.Listing(items: EventCatalogue.all.map { EventTypeResource(name: $0.name, type: $0.type) })
    }
}
