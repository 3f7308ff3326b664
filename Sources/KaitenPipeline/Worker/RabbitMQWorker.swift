import AMQPClient
import AMQPProtocol
import Foundation
import KaitenCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Consumes Kaiten's events from RabbitMQ and hands them to the dispatcher, as a member of a consumer group:
/// the workers of one `consumerID` compete for the messages of their shared queue.
///
/// A message is acknowledged only once the dispatcher has committed it (or decided it needs nothing: an
/// unknown type, a deleted organization), so a worker killed mid-way leaves it to be redelivered, and the
/// inbox skips what already committed. A dispatcher that asks for a retry gets the same delivery again after
/// a pause that doubles up to `maxRetryDelay`, so a failing database is not hammered, the organization's
/// later events wait behind it, and the message is not requeued: a quorum queue counts requeues against its
/// delivery limit (20 by default since RabbitMQ 4.0) and would dead-letter events during an outage. A message
/// that is not a Kaiten event is dead-lettered at once with the reason in its `x-kaiten-dead-letter-reason`
/// header, and never holds up the messages behind it.
///
/// Deliveries are processed in parallel lanes chosen by organization, so one organization's events are
/// consumed in queue order while others proceed; the prefetch limit bounds what is in flight.
package struct RabbitMQWorker: Service {
    package struct Configuration: Sendable {
        /// The consumer group; the queue is `<consumerID>-<exchange>`.
        package var consumerID = "kaiten-worker"
        package var exchange = KaitenExchange.standard
        package var queueType = KaitenExchange.QueueType.quorum
        package var prefetchCount: UInt16 = 100
        package var lanes = 8
        /// How long a message the dispatcher could not complete waits before it is dispatched again; the pause
        /// doubles with every retry up to `maxRetryDelay`.
        package var retryDelay: Duration = .seconds(1)
        package var maxRetryDelay: Duration = .seconds(30)

        package init() {}
    }

    /// The header a dead-lettered message carries its reason in.
    package static let deadLetterReasonHeader = "x-kaiten-dead-letter-reason"

    let connection: AMQPConnectionService
    let dispatcher: EventDispatcher
    let configuration: Configuration
    let logger: Logger
    package let statistics = DeliveryStatistics()
    /// An event being retried is logged once as its retries begin and once as it is processed, per event: while
    /// the database is out of reach that is a line per lane, not one per retry.
    let retrying: OutageLog

    package init(connection: AMQPConnectionService, dispatcher: EventDispatcher, configuration: Configuration = .init(), logger: Logger) {
        self.connection = connection
        self.dispatcher = dispatcher
        self.configuration = configuration
        self.logger = logger
        retrying = OutageLog("a consumer could not process an event; retrying it", logger: logger)
    }

    /// The topology the connection service must declare for this worker.
    package static func topology(_ configuration: Configuration) -> AMQPTopology {
        configuration.exchange.consumerTopology(consumerID: configuration.consumerID, queueType: configuration.queueType)
    }

    private struct Work: Sendable {
        let delivery: AMQPDelivery
        let envelope: CloudEventEnvelope
    }

    package func run() async throws {
        let queue = configuration.exchange.queue(consumerID: configuration.consumerID)
        let laneCount = max(1, configuration.lanes)
        let lanes = (0..<laneCount).map { _ in AsyncStream<Work>.makeStream() }
        let deliveries = pump(queue: queue)
        await withDiscardingTaskGroup { group in
            for lane in lanes {
                group.addTask {
                    for await work in lane.stream { await handle(work) }
                }
            }
            // Graceful shutdown stops taking deliveries; what the lanes hold is finished. Deliveries still
            // prefetched go back to the queue when the connection service closes the connection.
            await cancelWhenGracefulShutdown {
                for await delivery in deliveries.stream {
                    let envelope: CloudEventEnvelope
                    do {
                        envelope = try CloudEventEnvelope(bytes: delivery.body.readableBytesView)
                    } catch {
                        await deadLetter(delivery, reason: String(describing: error))
                        continue
                    }
                    let lane = envelope.lane(among: laneCount)
                    lanes[lane].continuation.yield(Work(delivery: delivery, envelope: envelope))
                }
            }
            deliveries.continuation.finish()
            for lane in lanes { lane.continuation.finish() }
        }
        logStatistics()
    }

    /// What this process did, once it stopped: the duplicates line is how an operator (and the fault tests) sees
    /// redeliveries the inbox absorbed after a crash of an earlier worker.
    private func logStatistics() {
        let dispatched = dispatcher.statistics
        logger.info(
            "the worker stopped",
            metadata: [
                "kaiten.acknowledged": "\(statistics.acknowledged.load(ordering: .relaxed))",
                "kaiten.retried": "\(statistics.retried.load(ordering: .relaxed))",
                "kaiten.dead_lettered": "\(statistics.deadLettered.load(ordering: .relaxed))",
                "kaiten.processed": "\(dispatched.processed.load(ordering: .relaxed))",
                "kaiten.duplicates": "\(dispatched.duplicates.load(ordering: .relaxed))",
                "kaiten.skipped": "\(dispatched.skipped.load(ordering: .relaxed))",
                "kaiten.unknown_types": "\(dispatched.unknownTypes.load(ordering: .relaxed))",
            ]
        )
    }

    /// Moves the queue's deliveries onto a stream the worker can stop reading at any time.
    ///
    /// The connection service's consumer sequence ends when the service stops, and is not meant to be
    /// cancelled (it would resubscribe), while the worker must stop before the service does, so the consumer
    /// is read by a task of its own that outlives the worker until the service stops. What it reads after the
    /// worker stopped is left unacknowledged, and the broker requeues it when the connection closes.
    private func pump(queue: String) -> (stream: AsyncStream<AMQPDelivery>, continuation: AsyncStream<AMQPDelivery>.Continuation) {
        let (stream, continuation) = AsyncStream<AMQPDelivery>.makeStream()
        let consumer = connection.consume(queue: queue, prefetchCount: configuration.prefetchCount)
        let logger = logger
        Task {
            do {
                for try await delivery in consumer {
                    continuation.yield(delivery)
                }
            } catch {
                logger.error("the consumer stopped", metadata: ["kaiten.queue": "\(queue)", "kaiten.error": "\(String(reflecting: error))"])
            }
            continuation.finish()
        }
        return (stream, continuation)
    }

    private func handle(_ work: Work) async {
        var delay = configuration.retryDelay
        let messageID = work.delivery.properties.messageID ?? ""
        while case .retry(let reason) = await dispatcher.dispatch(work.envelope) {
            statistics.retried.add(1, ordering: .relaxed)
            retrying.failed(because: reason, subject: messageID, metadata: ["kaiten.message_id": "\(messageID)", "kaiten.retry.delay": "\(delay)"])
            do {
                try await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
            } catch {
                // Shutting down: the delivery stays unacknowledged, and the broker requeues it when the connection
                // closes.
                return
            }
            delay = min(delay * 2, configuration.maxRetryDelay)
        }
        retrying.succeeded(subject: messageID, metadata: ["kaiten.message_id": "\(messageID)"])
        do {
            try await work.delivery.ack()
            statistics.acknowledged.add(1, ordering: .relaxed)
        } catch {
            // The delivery's channel is gone: the broker redelivers the message, and the inbox skips the work
            // that committed.
            logger.notice("could not settle a delivery; it will be redelivered", metadata: ["kaiten.error": "\(String(describing: error))"])
        }
    }

    /// Moves a message no consumer can read to the dead-letter exchange, with the reason. If the republish
    /// fails the message is rejected instead, which the queue's dead-letter exchange catches too (the
    /// reason then only in the log, the broker's `x-death` saying it was rejected).
    private func deadLetter(_ delivery: AMQPDelivery, reason: String) async {
        var properties = delivery.properties
        var headers = properties.headers ?? [:]
        headers[Self.deadLetterReasonHeader] = .string(reason)
        headers["x-kaiten-dead-letter-queue"] = .string(configuration.exchange.queue(consumerID: configuration.consumerID))
        properties.headers = headers
        logger.warning(
            "dead-lettering a message that is not a Kaiten event",
            metadata: ["kaiten.reason": "\(reason)", "kaiten.message_id": "\(delivery.properties.messageID ?? "")"]
        )
        do {
            try await connection.publish(delivery.body, exchange: configuration.exchange.deadLetterExchange, properties: properties)
            try await delivery.ack()
        } catch {
            try? await delivery.nack(requeue: false)
        }
        statistics.deadLettered.add(1, ordering: .relaxed)
        KaitenMetrics.eventConsumed(.deadLettered)
    }
}

/// What a worker did with its deliveries, for logs and tests.
package final class DeliveryStatistics: Sendable {
    package let acknowledged = Atomic<Int>(0)
    /// Dispatches that asked to be retried.
    package let retried = Atomic<Int>(0)
    package let deadLettered = Atomic<Int>(0)
}

extension CloudEventEnvelope {
    /// Which of `count` lanes consumes the event: all of one organization's in the same one, in order.
    func lane(among count: Int) -> Int {
        guard case .record(let record) = content else { return 0 }
        return Int(UInt(bitPattern: record.organizationID.hashValue) % UInt(count))
    }
}
