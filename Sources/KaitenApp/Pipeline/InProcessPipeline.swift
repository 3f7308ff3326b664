import KaitenAuditTrail
import KaitenCore
import KaitenPipeline
import KaitenWebhooks
import ServiceLifecycle

/// The event pipeline of a single process (`kaiten dev`): the polling relay hands each committed outbox
/// event straight to the worker's consumers, no broker in between; the retention sweeper keeps the outbox,
/// the inbox and retired tokens from growing without bound; the webhook delivery service sends what the
/// webhook consumer queued.
enum InProcessPipeline {
    static func services(_ database: Database, webhooks: WebhooksConfiguration) -> [any Service] {
        let webhooksModule = WebhooksModule(database: database, configuration: webhooks)
        let dispatcher = EventDispatcher(database: database, consumers: [AuditTrailModule(database: database).consumer, webhooksModule.consumer])
        return [
            PollingRelay(database: database, publisher: InProcessBus(dispatcher: dispatcher)),
            RetentionSweeper(database: database),
            webhooksModule.deliveryService,
        ]
    }
}
