import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `/api/tokens/validate` (any method): lets a gateway check a `ksh_` token at the edge.
///
/// On success it answers 200 with a response `Authorization: Bearer <JWT>` header carrying Kaiten's claim
/// contract for the token's identity, unsigned (`alg: none`): the gateway forwards it, and the API behind
/// it sees the same claims as for a person. It expires with the token, and within the hour.
enum ValidateToken {
    /// A gateway's forward-auth check repeats the method of the request it guards: every method is checked the
    /// same way, each declared as an operation of its own.
    static let operations =
        [APIOperation("validate-token", .get, "/tokens/validate")]
        + [HTTPRequest.Method.post, .put, .patch, .delete, .head, .options].map {
            APIOperation("validate-token-\($0.rawValue.lowercased())", $0, "/tokens/validate")
        }

    static func register(on router: OperationRouter, authenticator: Authenticator) {
        let handler: @Sendable (Request, KaitenRequestContext) async throws -> Response = { request, _ in
            let credential: String
            do {
                credential = try Authenticator.bearer(request.headers[.authorization])
            } catch {
                throw APIError.unauthorized("ValidateToken.MissingAuthorizationHeader", "the Authorization header is missing")
            }
            let secret = SecretToken(plaintext: credential)
            guard secret.kind == .organization, let caller = try await authenticator.organizationToken(secret),
                let subject = try await authenticator.externalID(ofUser: caller.userID)
            else {
                throw APIError.unauthorized("ValidateToken.Invalid", "invalid token")
            }
            let now = Date()
            var expiry = now.addingTimeInterval(3600)
            if let tokenExpiry = caller.expiresAt, tokenExpiry < expiry { expiry = tokenExpiry }
            let claims: [String: JSONValue] = [
                "sub": .string(subject),
                "kaiten_external_org_id": .string(caller.organizationExternalID),
                "scopes": .array(caller.scopes.map { .string($0.description) }),
                "iat": .integer(Int64(now.timeIntervalSince1970)),
                "exp": .integer(Int64(expiry.timeIntervalSince1970)),
            ]
            let header = base64URL(Array(JSONValue.object(["alg": .string("none"), "typ": .string("JWT")]).jsonText.utf8))
            let payload = base64URL(Array(JSONValue.object(claims).jsonText.utf8))
            return Response(status: .ok, headers: [.authorization: "Bearer \(header).\(payload)."])
        }
        for operation in operations {
            router.on(operation, use: handler)
        }
    }
}

extension IdentityModule {
    /// Registers the public `/tokens/validate` route.
    package func registerValidateRoute(on router: OperationRouter, authenticator: Authenticator) {
        ValidateToken.register(on: router, authenticator: authenticator)
    }
}

extension Authenticator {
    func externalID(ofUser id: UUID) async throws -> String? {
        try await database.first("SELECT external_id FROM \"user\" WHERE id = \(id)", as: String.self, logger: database.logger)
    }
}
