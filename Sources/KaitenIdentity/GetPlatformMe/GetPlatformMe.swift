import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `GET /platform/me`: the calling platform credential, never its secret.
enum GetPlatformMe {
    static let operation = APIOperation("get-platform-me", .get, "/platform/me")
    static let requiredScope = Scope.read(.tokens)

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { _, context in
            let caller = try context.platformCaller()
            try caller.require(requiredScope)
            return try JSONResponse.make(
                PlatformCredentialResource(
                    id: caller.tokenID.lowercased,
                    name: caller.name,
                    slug: caller.slug,
                    subject: DeterministicIdentifiers.systemUserExternalID,
                    credentialKind: "platform",
                    scopes: caller.scopes.map(\.description),
                    createdAt: caller.createdAt,
                    expiresAt: caller.expiresAt
                )
            )
        }
    }
}
