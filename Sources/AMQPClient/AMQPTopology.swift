import AMQPProtocol

/// Exchanges, queues and bindings an application relies on. Declarations are idempotent, so the connection
/// service re-declares them on every (re)connection: a broker that lost them (a restart without durable
/// definitions, a reset) gets them back before anything is published or consumed.
package struct AMQPTopology: Sendable {
    package var exchanges: [ExchangeDeclare]
    package var queues: [QueueDeclare]
    package var bindings: [QueueBind]

    package init(exchanges: [ExchangeDeclare] = [], queues: [QueueDeclare] = [], bindings: [QueueBind] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    package func declare(on channel: AMQPChannel) async throws {
        for exchange in exchanges { try await channel.exchangeDeclare(exchange) }
        for queue in queues { try await channel.queueDeclare(queue) }
        for binding in bindings { try await channel.queueBind(binding) }
    }
}
