import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// Identity: organizations, users, memberships, service accounts, tokens and platform credentials.
///
/// The facade methods are where scopes are enforced: an endpoint decodes and validates its input, then
/// calls one of them with the caller; a use case never sees an unauthorized call.
package struct IdentityModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    /// Registers the Core API operations (organization credentials).
    package func registerCoreRoutes(on router: OperationRouter) {
        CreateServiceAccount.register(on: router, module: self)
        GetServiceAccounts.register(on: router, module: self)
        GetServiceAccount.register(on: router, module: self)
        UpdateServiceAccount.register(on: router, module: self)
        CreateServiceAccountToken.register(on: router, module: self)
        GetServiceAccountTokens.register(on: router, module: self)
        DeleteServiceAccountToken.register(on: router, module: self)
    }

    /// Registers the Platform API operations (`ksm_` credentials).
    package func registerPlatformRoutes(on router: OperationRouter) {
        GetPlatformMe.register(on: router, module: self)
        EnsureOrganization.register(on: router, module: self)
        GetOrganization.register(on: router, module: self)
        DeleteOrganization.register(on: router, module: self)
        DeleteMembership.register(on: router, module: self)
        DeleteUser.register(on: router, module: self)
        MintOrganizationToken.register(on: router, module: self)
        ListOrganizationTokens.register(on: router, module: self)
        RevokeOrganizationToken.register(on: router, module: self)
    }
}
