import Hummingbird
import KaitenCore

/// Hands the request's logger, which carries its request id, to the SQL the request runs.
public struct RequestLoggerMiddleware: RouterMiddleware {
    public typealias Context = KaitenRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await Database.$requestLogger.withValue(context.logger) {
            try await next(request, context)
        }
    }
}
