/// The transport of a single-process deployment: events go straight to the worker's dispatcher.
///
/// Still at-least-once: an event whose consumers did not all commit makes `publish` throw, and the relay
/// sends it again later; consumers skip what their inbox already holds.
package struct InProcessBus: EventPublisher {
    let dispatcher: EventDispatcher

    package init(dispatcher: EventDispatcher) {
        self.dispatcher = dispatcher
    }

    package func publish(_ envelopes: [CloudEventEnvelope]) async throws {
        for envelope in envelopes {
            if case .retry(let reason) = await dispatcher.dispatch(envelope) {
                throw InProcessBusError.notConsumed(reason)
            }
        }
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
