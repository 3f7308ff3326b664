import HTTPTypes
import Hummingbird
import KaitenHTTP

/// Authenticates every request of a listener's protected routes, from its `Authorization` header.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = KaitenRequestContext
    let authenticate: @Sendable (_ authorization: String?) async throws -> Principal

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = try await authenticate(request.headers[.authorization])
        return try await next(request, context)
    }
}
