import Foundation
import KaitenCore
import Logging
import ServiceLifecycle
import Synchronization

/// FEATURE_FLAG_EVALUATED events, kept off the evaluation's path: an evaluation only queues what it decided,
/// and this service builds the events and writes them to the outbox in batches. The queue is bounded; past the
/// bound an evaluation's event is dropped and counted (`dropped`, and a warning per batch that dropped any), so
/// an overload slows no evaluation and grows no memory. A graceful stop writes what is still queued; a
/// cancellation (a process torn down, not stopped) loses it.
package final class EvaluationEvents: Service, Sendable {
    static let event = EventType(name: "FEATURE_FLAG_EVALUATED", type: "com.kaiten.feature_flag.v1.evaluated")

    private let database: Database
    private let capacity: Int
    private let queued = Mutex<(evaluations: [Evaluated], dropped: Int)>(([], 0))
    private let wakeUp: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let totalDropped = Atomic<Int>(0)

    package init(database: Database, capacity: Int = 5_000) {
        self.database = database
        self.capacity = capacity
        (wakeUp, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Events dropped since start because the queue was full.
    package var dropped: Int { totalDropped.load(ordering: .relaxed) }

    /// One flag's evaluation, as its event reports it.
    struct Evaluated: Sendable {
        let organizationID: UUID
        let flagID: String
        let flagSlug: String
        let outcome: Result<Resolution, OFREPError>

        var data: JSONValue {
            var data: [String: JSONValue] = ["flag_slug": .string(flagSlug), "flag_id": .string(flagID)]
            switch outcome {
            case .success(let resolution):
                data["reason"] = .string(resolution.reason.rawValue)
                data["variant"] = .string(resolution.variant)
                if resolution.reason == .targetingMatch, let rule = resolution.matchedRule { data["matched_rule_name"] = .string(rule) }
            case .failure(let error):
                data["reason"] = "ERROR"
                data["error_code"] = .string(error.code.rawValue)
                data["error_message"] = .string(error.details)
            }
            return .object(data)
        }
    }

    /// Queues one request's evaluations, as many as there is room for.
    func record(_ evaluations: [Evaluated]) {
        let dropped = queued.withLock { queue in
            let room = max(capacity - queue.evaluations.count, 0)
            queue.evaluations.append(contentsOf: evaluations.prefix(room))
            let dropped = max(evaluations.count - room, 0)
            queue.dropped += dropped
            return dropped
        }
        if dropped < evaluations.count { wake.yield() }
        if dropped > 0 { totalDropped.add(dropped, ordering: .relaxed) }
    }

    package func run() async throws {
        // A graceful shutdown ends the wait for work, never a write under way: the batch it holds is already
        // taken from the queue.
        for await _ in wakeUp.cancelOnGracefulShutdown() {
            await flush()
        }
        await flush()
    }

    private func flush() async {
        let (evaluations, dropped) = queued.withLock { queue in
            defer { queue = ([], 0) }
            return queue
        }
        if dropped > 0 {
            database.logger.warning("feature flag evaluation events dropped: the queue was full", metadata: ["kaiten.count": "\(dropped)"])
        }
        guard !evaluations.isEmpty else { return }
        do {
            let messages = try evaluations.map { try OutboxMessage(organizationID: $0.organizationID, event: Self.event, data: $0.data) }
            try await database.transaction { connection in
                try await Outbox.append(contentsOf: messages, on: connection, logger: database.logger)
            }
        } catch {
            database.logger.error(
                "feature flag evaluation events not written", metadata: ["kaiten.count": "\(evaluations.count)", "kaiten.error": "\(error)"]
            )
        }
    }
}
