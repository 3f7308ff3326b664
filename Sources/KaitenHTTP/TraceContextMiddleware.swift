import HTTPTypes
import Hummingbird
import KaitenCore

/// Carries the request's W3C trace context (`traceparent`, `tracestate`, `baggage`) to the events it writes.
package struct TraceContextMiddleware: RouterMiddleware {
    package typealias Context = KaitenRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var headers: [String: String] = [:]
        for name in ["traceparent", "tracestate", "baggage"] {
            if let field = HTTPField.Name(name), let value = request.headers[field] {
                headers[name] = value
            }
        }
        guard !headers.isEmpty else { return try await next(request, context) }
        return try await TraceContext.$current.withValue(TraceContext(headers: headers)) {
            try await next(request, context)
        }
    }
}
