import HTTPTypes
import Hummingbird
import KaitenHTTP
import KaitenIdentity

/// Authenticates every request of the Core API's protected routes as an organization caller.
struct OrganizationAuthenticationMiddleware: RouterMiddleware {
    typealias Context = KaitenRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = .organization(try await authenticator.authenticateOrganization(authorization: request.headers[.authorization]))
        return try await next(request, context)
    }
}

/// Authenticates every request of the Platform API as a platform credential.
struct PlatformAuthenticationMiddleware: RouterMiddleware {
    typealias Context = KaitenRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = .platform(try await authenticator.authenticatePlatform(authorization: request.headers[.authorization]))
        return try await next(request, context)
    }
}
