import KaitenCore
import Tracing

/// A publisher whose every event is an `outbox.relay` span, continuing the trace of the write that recorded
/// it; the event carries the span's context on, to the worker's spans.
package struct TracingPublisher<Inner: EventPublisher>: EventPublisher {
    let inner: Inner

    package init(_ inner: Inner) {
        self.inner = inner
    }

    package func publish(_ envelopes: [CloudEventEnvelope]) async throws {
        var spans: [any Span] = []
        spans.reserveCapacity(envelopes.count)
        let relayed = envelopes.map { envelope in
            guard case .record(let record) = envelope.content else { return envelope }
            let span = startSpan("outbox.relay", context: envelope.trace.serviceContext, ofKind: .producer)
            span.attributes["kaiten.event_type"] = record.eventType
            span.attributes["messaging.message.id"] = record.id.lowercased
            spans.append(span)
            return envelope.relayed(with: TraceContext(headers: envelope.trace.handedOn(by: span.context)))
        }
        do {
            try await inner.publish(relayed)
        } catch {
            for span in spans {
                span.recordError(error)
                span.end()
            }
            throw error
        }
        for span in spans { span.end() }
    }
}

extension EventPublisher {
    /// This publisher, with a span per event relayed.
    package func traced() -> TracingPublisher<Self> { TracingPublisher(self) }
}
