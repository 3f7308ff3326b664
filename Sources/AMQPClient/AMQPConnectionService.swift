import AMQPProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Keeps a connection to the broker for the life of the process: connects, declares the topology, opens a
/// publishing channel in confirm mode, and when the connection is lost does it all again with exponential
/// backoff, trying the cluster's nodes in turn. Run it in the `ServiceGroup`; graceful shutdown closes the
/// connection cleanly.
///
/// An outage is logged once as it starts and once as it ends, not at every attempt.
///
/// Publishes wait for a connection and return only once the broker confirms; one in flight when the
/// connection drops throws, so the caller (the outbox relay) publishes it again. Consumers resume on the new
/// connection; deliveries from the lost one can no longer be acked and come back redelivered.
package final class AMQPConnectionService: Service, Sendable {
    package struct Backoff: Sendable {
        package var initial: Duration
        package var maximum: Duration

        package init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(2)) {
            self.initial = initial
            self.maximum = maximum
        }

        /// Doubling from `initial` up to `maximum`, with ±20 % jitter so many clients do not reconnect in step.
        func delay(attempt: Int) -> Duration {
            let base = min(initial * Double(1 << min(attempt, 16)), maximum)
            return base * Double.random(in: 0.8...1.2)
        }
    }

    struct Connected: Sendable {
        let connection: AMQPConnection
        let publisher: AMQPChannel
    }

    private struct State {
        var current: Connected?
        var stopped = false
        var waiters: [UUID: CheckedContinuation<Connected, any Error>] = [:]
        var cancelledWaiters: Set<UUID> = []
    }

    /// The nodes of the cluster, tried in turn: the next after each failed attempt or lost connection.
    package let nodes: [AMQPConfiguration]
    package let topology: AMQPTopology
    package let backoff: Backoff
    private let logger: Logger
    private let state = Mutex(State())

    package convenience init(configuration: AMQPConfiguration, topology: AMQPTopology, backoff: Backoff = Backoff(), logger: Logger) {
        self.init(nodes: [configuration], topology: topology, backoff: backoff, logger: logger)
    }

    /// - Precondition: `nodes` is not empty.
    package init(nodes: [AMQPConfiguration], topology: AMQPTopology, backoff: Backoff = Backoff(), logger: Logger) {
        precondition(!nodes.isEmpty, "an AMQP connection needs a node to connect to")
        self.nodes = nodes
        self.topology = topology
        self.backoff = backoff
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.maintainConnection()
        }
        let waiters = state.withLock { state in
            state.stopped = true
            state.current = nil
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: AMQPError.closed) }
    }

    private func maintainConnection() async {
        var attempt = 0
        var node = 0
        while !Task.isCancelled {
            let configuration = nodes[node % nodes.count]
            var nodeMetadata: Logger.Metadata = ["kaiten.amqp_host": "\(configuration.host)", "kaiten.amqp_port": "\(configuration.port)"]
            do {
                let connection = try await AMQPConnection.connect(configuration, logger: logger)
                do {
                    let setup = try await connection.openChannel()
                    try await topology.declare(on: setup)
                    try await setup.close()
                    let publisher = try await connection.openChannel()
                    try await publisher.confirmSelect()
                    if attempt > 0 { nodeMetadata["kaiten.amqp_attempts"] = "\(attempt)" }
                    logger.info("AMQP connected", metadata: nodeMetadata)
                    attempt = 0
                    install(Connected(connection: connection, publisher: publisher))
                    await withTaskCancellationHandler {
                        try? await connection.closeFuture.get()
                    } onCancel: {
                        Task { try? await connection.close() }
                    }
                    state.withLock { $0.current = nil }
                    if !Task.isCancelled { logger.warning("AMQP connection lost; reconnecting", metadata: nodeMetadata) }
                } catch {
                    nodeMetadata["kaiten.error"] = "\(error)"
                    logger.log(level: attempt == 0 ? .warning : .debug, "AMQP connection setup failed; retrying", metadata: nodeMetadata)
                    try? await connection.close()
                    attempt += 1
                }
            } catch {
                nodeMetadata["kaiten.error"] = "\(error)"
                logger.log(level: attempt == 0 ? .warning : .debug, "AMQP connect failed; retrying until a node answers", metadata: nodeMetadata)
                attempt += 1
            }
            guard !Task.isCancelled else { return }
            node += 1
            try? await Task.sleep(for: backoff.delay(attempt: max(attempt - 1, 0) / nodes.count))
        }
    }

    private func install(_ connected: Connected) {
        let waiters = state.withLock { state in
            state.current = connected
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: connected) }
    }

    /// The current connection, waiting for one while reconnecting. Throws `AMQPError.closed` once the
    /// service has stopped, and `CancellationError` when the caller is cancelled.
    func connected() async throws -> Connected {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<Connected, any Error>? = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil { return .failure(CancellationError()) }
                    if let current = state.current { return .success(current) }
                    if state.stopped { return .failure(AMQPError.closed) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelledWaiters.insert(id)
                    return nil as CheckedContinuation<Connected, any Error>?
                }
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Publishes and returns once the broker confirmed. Throws if the connection drops first, the broker
    /// nacks, or the service stops: then the message must be considered unpublished.
    package func publish(
        _ body: ByteBuffer, exchange: String, routingKey: String = "", properties: AMQPProperties = AMQPProperties()
    ) async throws {
        try await connected().publisher.publish(body, exchange: exchange, routingKey: routingKey, properties: properties)
    }

    /// Publishes a batch in order, pipelined, and returns once the broker confirmed all of it; throws if the
    /// connection drops first, the broker nacks any of it, or the service stops.
    package func publish(_ messages: [AMQPOutgoingMessage], exchange: String) async throws {
        try await connected().publisher.publish(messages, exchange: exchange)
    }

    /// A consumer that survives reconnections: on every connection it opens a channel, applies the prefetch
    /// limit and consumes `queue`. The sequence ends when the service stops.
    package func consume(queue: String, prefetchCount: UInt16) -> AMQPServiceConsumer {
        AMQPServiceConsumer(service: self, queue: queue, prefetchCount: prefetchCount)
    }
}

/// Deliveries from one queue across reconnections. See `AMQPConnectionService.consume(queue:prefetchCount:)`.
package struct AMQPServiceConsumer: AsyncSequence, Sendable {
    package typealias Element = AMQPDelivery
    let service: AMQPConnectionService
    let queue: String
    let prefetchCount: UInt16

    package struct AsyncIterator: AsyncIteratorProtocol {
        let service: AMQPConnectionService
        let queue: String
        let prefetchCount: UInt16
        var current: AMQPConsumer.AsyncIterator?
        var failures = 0

        package mutating func next() async throws -> AMQPDelivery? {
            while true {
                // A cancelled reader's channel stream ends with nil; without this check the loop would open a
                // fresh channel on the live connection forever.
                try Task.checkCancellation()
                do {
                    if current == nil {
                        let connected = try await service.connected()
                        let channel = try await connected.connection.openChannel()
                        try await channel.basicQos(prefetchCount: prefetchCount)
                        current = try await channel.consume(queue: queue).makeAsyncIterator()
                    }
                    if let delivery = try await current?.next() {
                        failures = 0
                        return delivery
                    }
                    current = nil
                } catch AMQPError.closed {
                    return nil
                } catch let error as CancellationError {
                    throw error
                } catch {
                    // The connection or the channel failed: start over on the next connection, pausing so a
                    // consumer whose queue is refused does not spin.
                    current = nil
                    try await Task.sleep(for: service.backoff.delay(attempt: failures))
                    failures += 1
                }
            }
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(service: service, queue: queue, prefetchCount: prefetchCount)
    }
}
