import Hummingbird
import KaitenCore
import KaitenHTTP

/// Webhooks: endpoints an organization registers, and the signed delivery of its events to them.
package struct WebhooksModule: Sendable {
    let database: Database
    let configuration: WebhooksConfiguration

    package init(database: Database, configuration: WebhooksConfiguration) {
        self.database = database
        self.configuration = configuration
    }

    package func registerRoutes(on router: OperationRouter) {
        ListWebhookEventTypes.register(on: router, module: self)
        CreateWebhookEndpoint.register(on: router, module: self)
        ListWebhookEndpoints.register(on: router, module: self)
        GetWebhookEndpoint.register(on: router, module: self)
        UpdateWebhookEndpoint.register(on: router, module: self)
        DeleteWebhookEndpoint.register(on: router, module: self)
        RotateWebhookSecret.register(on: router, module: self)
        ListWebhookMessages.register(on: router, module: self)
        ListWebhookAttempts.register(on: router, module: self)
        RetryWebhookMessage.register(on: router, module: self)
        ReplayWebhookEndpoint.register(on: router, module: self)
        SendWebhookTest.register(on: router, module: self)
    }

    /// The consumer that turns events into webhook messages and deliveries; the worker runs it.
    package var consumer: some EventConsumer { WebhookFanOut(configuration: configuration) }

    /// The service that sends due deliveries.
    package var deliveryService: WebhookDeliveryService { WebhookDeliveryService(database: database, configuration: configuration) }
}
