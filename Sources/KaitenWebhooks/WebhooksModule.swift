import Hummingbird
import KaitenCore
import KaitenHTTP

/// Webhooks: endpoints an organization registers, and the signed delivery of its events to them.
public struct WebhooksModule: Sendable {
    let database: Database
    let configuration: WebhooksConfiguration

    public init(database: Database, configuration: WebhooksConfiguration) {
        self.database = database
        self.configuration = configuration
    }

    public func registerRoutes(on router: RouterGroup<KaitenRequestContext>) {
        ListEventTypes.register(on: router, module: self)
        CreateEndpoint.register(on: router, module: self)
        ListEndpoints.register(on: router, module: self)
        GetEndpoint.register(on: router, module: self)
        UpdateEndpoint.register(on: router, module: self)
        DeleteEndpoint.register(on: router, module: self)
        RotateEndpointSecret.register(on: router, module: self)
        ListMessages.register(on: router, module: self)
        ListAttempts.register(on: router, module: self)
        RetryMessage.register(on: router, module: self)
        ReplayEndpoint.register(on: router, module: self)
        SendTestMessage.register(on: router, module: self)
    }

    /// The consumer that turns events into webhook messages and deliveries; the worker runs it.
    public var consumer: some EventConsumer { WebhookFanOut(clock: configuration.clock) }

    /// The service that sends due deliveries.
    public var deliveryService: WebhookDeliveryService { WebhookDeliveryService(database: database, configuration: configuration) }
}
