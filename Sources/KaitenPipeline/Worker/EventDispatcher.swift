import Foundation
import KaitenCore
import Logging
import PostgresNIO
import Synchronization
import Tracing

/// Hands each event that arrives from the bus to every consumer that wants it, at least once and, for each
/// consumer's own writes, exactly once.
///
/// Each consumer runs in its own transaction, which first records the event in `inbox_events` under the
/// consumer's name: a redelivered event finds its row and is skipped, and a consumer that fails rolls its
/// inbox row back with its work, so the retry runs it again while consumers that succeeded skip.
package struct EventDispatcher: Sendable {
    /// What the transport does with the message.
    package enum Outcome: Sendable, Equatable {
        /// Every interested consumer has it: acknowledge.
        case processed
        /// Nothing here wants it, or it no longer applies (its organization is gone): acknowledge, counted.
        case skipped(String)
        /// A consumer failed: deliver it again later.
        case retry(String)
    }

    /// The inbox `source` of events relayed from the outbox, the Go server's value.
    package static let source = "debezium:outbox_events"

    let database: Database
    let consumers: [any EventConsumer]
    package let statistics = DispatchStatistics()

    package init(database: Database, consumers: [any EventConsumer]) {
        self.database = database
        self.consumers = consumers
    }

    package func dispatch(_ envelope: CloudEventEnvelope) async -> Outcome {
        switch envelope.content {
        case .heartbeat:
            return .processed
        case .record(let record):
            guard let type = EventCatalogue.event(ofType: record.eventType) else {
                statistics.count(.unknownType)
                database.logger.notice("acknowledged an event of an unknown type", metadata: ["kaiten.event_type": "\(record.eventType)"])
                return .skipped("unknown event type \(record.eventType)")
            }
            // The trace context is the relay's, which continues the producer's.
            let event = ConsumedEvent(
                id: record.id, organizationID: record.organizationID, event: type,
                occurredAt: record.occurredAt, data: record.data, headers: record.headers.merging(envelope.trace.headers) { _, relayed in relayed }
            )
            let interested = consumers.filter { $0.accepts(type) }
            let runs = await withTaskGroup(of: ConsumerRun.self) { group in
                for consumer in interested {
                    group.addTask { await run(consumer, event) }
                }
                var runs: [ConsumerRun] = []
                for await run in group { runs.append(run) }
                return runs
            }
            let failures = runs.compactMap { run -> String? in
                guard case .failed(let reason) = run else { return nil }
                return reason
            }
            if failures.isEmpty {
                // A redelivery counts once, however many consumers had already done their part.
                statistics.count(runs.contains(.duplicate) ? .duplicate : .processed)
                return .processed
            }
            if failures.allSatisfy({ $0 == Self.organizationGone }) {
                statistics.count(.skipped)
                return .skipped(Self.organizationGone)
            }
            statistics.count(.retried)
            return .retry(failures.joined(separator: "; "))
        }
    }

    static let organizationGone = "the event's organization no longer exists"

    private enum ConsumerRun: Equatable {
        case consumed
        /// Its inbox already held the event: a redelivery.
        case duplicate
        case failed(String)
    }

    /// Runs one consumer in its transaction, as a `<consumer> process` span of the event's trace.
    private func run(_ consumer: any EventConsumer, _ event: ConsumedEvent) async -> ConsumerRun {
        await withSpan("\(consumer.name) process", context: TraceContext(headers: event.headers).serviceContext, ofKind: .consumer) { span in
            span.attributes["kaiten.event_type"] = event.event.type
            span.attributes["messaging.message.id"] = event.id.lowercased
            let run = await consume(event, by: consumer)
            if case .failed(let reason) = run { span.setStatus(SpanStatus(code: .error, message: reason)) }
            return run
        }
    }

    private func consume(_ event: ConsumedEvent, by consumer: any EventConsumer) async -> ConsumerRun {
        var logger = database.logger
        logger[metadataKey: "kaiten.consumer"] = "\(consumer.name)"
        logger[metadataKey: "kaiten.event_id"] = "\(event.id.lowercased)"
        do {
            let duplicate = try await database.transaction { connection in
                let inserted = try await connection.first(
                    """
                    INSERT INTO inbox_events (organization_id, source, message_id, consumer)
                    VALUES (\(event.organizationID), \(Self.source), \(event.id.lowercased), \(consumer.name))
                    ON CONFLICT DO NOTHING RETURNING id
                    """,
                    as: UUID.self,
                    logger: logger
                )
                guard inserted != nil else { return true }
                try await consumer.consume(event, on: connection, logger: logger)
                return false
            }
            return duplicate ? .duplicate : .consumed
        } catch let error where PostgresFailure(error)?.isForeignKeyViolation == true {
            return .failed(Self.organizationGone)
        } catch {
            // Not logged here: the transport retries the event, and logs its retries as one outage with this reason.
            return .failed("\(consumer.name) failed: \(String(reflecting: error))")
        }
    }
}

/// Counters of what the dispatcher did, for logs, benchmarks and tests; each also moves the process's
/// `kaiten_events_consumed_total`.
package final class DispatchStatistics: Sendable {
    package let processed = Atomic<Int>(0)
    /// Processed events that were redeliveries (some consumer's inbox already had them), counted once per event.
    package let duplicates = Atomic<Int>(0)
    package let skipped = Atomic<Int>(0)
    package let unknownTypes = Atomic<Int>(0)
    package let retried = Atomic<Int>(0)

    func count(_ outcome: KaitenMetrics.EventOutcome) {
        KaitenMetrics.eventConsumed(outcome)
        switch outcome {
        case .duplicate:
            duplicates.add(1, ordering: .relaxed)
            processed.add(1, ordering: .relaxed)
        case .processed: processed.add(1, ordering: .relaxed)
        case .skipped: skipped.add(1, ordering: .relaxed)
        case .unknownType: unknownTypes.add(1, ordering: .relaxed)
        case .retried: retried.add(1, ordering: .relaxed)
        case .deadLettered: break
        }
    }
}
