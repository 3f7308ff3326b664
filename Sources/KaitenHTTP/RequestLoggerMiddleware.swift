import Hummingbird
import KaitenCore

/// Hands the request's logger, which carries its request id, to the SQL the request runs.
package struct RequestLoggerMiddleware: RouterMiddleware {
    package typealias Context = KaitenRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await Database.$requestLogger.withValue(context.logger) {
            try await next(request, context)
        }
    }
}
