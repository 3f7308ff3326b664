import Tracing

/// The W3C trace context (`traceparent`, `tracestate`, `baggage`) that events carry from the request that
/// caused them to the relay, the worker and each webhook attempt.
///
/// With a tracer installed (`OTEL_ENABLED`), each hop hands on the context of its own span. Without one, the
/// context a request or an event arrived with passes through unchanged, so a caller's trace still reaches the
/// audit trail and the broker's headers.
package struct TraceContext: Sendable, Hashable {
    /// The trace context the request being served arrived with.
    @TaskLocal package static var current = TraceContext(headers: [:])

    package static let fieldNames: Set<String> = ["traceparent", "tracestate", "baggage"]

    /// `traceparent`, `tracestate` and `baggage`, when present.
    package let headers: [String: String]

    package init(headers: [String: String]) {
        self.headers = headers.filter { Self.fieldNames.contains($0.key) }
    }

    /// The trace headers to write on what the current task produces: the request's context, replaced by the
    /// current span's where a tracer records one.
    package static var outgoing: [String: String] { current.handedOn() }

    /// These headers, replaced by those of `context` (the current span's, by default) where a tracer records
    /// one: what a hop that received them hands on.
    package func handedOn(by context: ServiceContext? = ServiceContext.current) -> [String: String] {
        var handed = headers
        if let context {
            InstrumentationSystem.instrument.inject(context, into: &handed, using: TraceHeaderInjector())
        }
        return handed
    }

    /// The context these headers describe, for the spans of the hop that received them.
    package var serviceContext: ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: TraceHeaderExtractor())
        return context
    }
}

private struct TraceHeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

private struct TraceHeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
