import HTTPTypes
import Hummingbird
import KaitenCore
import Tracing

/// Opens each request's server span as a child of the trace context the caller sent, and keeps that context
/// for the events the request writes (see ``TraceContext``).
///
/// The span is named by the route template and records neither the path nor the query: a console sign-in
/// link carries its secret in its path, and queries carry customers' search terms.
package struct RequestTracingMiddleware: RouterMiddleware {
    package typealias Context = KaitenRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var received: [String: String] = [:]
        for name in TraceContext.fieldNames {
            if let field = HTTPField.Name(name), let value = request.headers[field] { received[name] = value }
        }
        let trace = TraceContext(headers: received)
        let method = request.method.rawValue
        return try await TraceContext.$current.withValue(trace) {
            try await withSpan(method, context: trace.serviceContext, ofKind: .server) { span in
                span.attributes["http.request.method"] = method
                let response = try await next(request, context)
                if let route = context.endpointPath {
                    span.operationName = "\(method) \(route)"
                    span.attributes["http.route"] = route
                }
                span.attributes["http.response.status_code"] = Int(response.status.code)
                if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
                return response
            }
        }
    }
}
