/// The transport of a single-process deployment: events go straight to the worker's dispatcher.
///
/// Still at-least-once: an event whose consumers did not all commit makes `publish` throw, and the relay
/// sends it again later; consumers skip what their inbox already holds. A batch is dispatched in lanes by
/// organization, as the worker's deliveries are: one organization's events in order, several organizations side
/// by side.
package struct InProcessBus: EventPublisher {
    let dispatcher: EventDispatcher
    let lanes: Int

    package init(dispatcher: EventDispatcher, lanes: Int = 8) {
        self.dispatcher = dispatcher
        self.lanes = max(1, lanes)
    }

    package func publish(_ envelopes: [CloudEventEnvelope]) async throws {
        var queues = [[CloudEventEnvelope]](repeating: [], count: lanes)
        for envelope in envelopes { queues[envelope.lane(among: lanes)].append(envelope) }
        let refusals = await withTaskGroup(of: String?.self) { group in
            for queue in queues where !queue.isEmpty {
                group.addTask {
                    // A lane stops at its first refusal: its organizations' later events wait for the retry.
                    for envelope in queue {
                        if case .retry(let reason) = await dispatcher.dispatch(envelope) { return reason }
                    }
                    return nil
                }
            }
            var refusals: [String] = []
            for await refusal in group { refusal.map { refusals.append($0) } }
            return refusals
        }
        if let reason = refusals.first { throw InProcessBusError.notConsumed(reason) }
    }
}

package enum InProcessBusError: Error, CustomStringConvertible {
    case notConsumed(String)

    package var description: String {
        switch self {
        case .notConsumed(let reason): "the event was not consumed: \(reason)"
        }
    }
}
