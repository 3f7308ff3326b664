import Foundation
import Hummingbird
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// The service-account pages: the accounts, each account's tokens, the new-token form with its scope table
/// and the revoke confirmation, whose writes are the Identity module's use cases.
struct ServiceAccountsPages: Sendable {
    let database: Database
    let identity: IdentityModule

    func register(on routes: ConsoleRoutes) {
        routes.page("service-accounts") { console in console.render(try await list(console)) }
        routes.page("service-accounts/new") { console in console.render(accountEditor(console)) }
        routes.form("service-accounts") { console, form in try await createAccount(console, form) }
        routes.page("service-accounts/:sa") { console in console.render(try await detail(console, slug: try console.parameter("sa"))) }
        routes.page("service-accounts/:sa/tokens/new") { console in
            let account = try await accountName(console, slug: try console.parameter("sa"))
            return console.render(tokenEditor(console, account: account, values: TokenFormValues()))
        }
        routes.form("service-accounts/:sa/tokens") { console, form in try await createToken(console, form, slug: try console.parameter("sa")) }
        routes.page("service-accounts/:sa/tokens/:token/revoke") { console in
            console.render(try await revocation(console, slug: try console.parameter("sa"), token: try console.parameter("token")))
        }
        routes.form("service-accounts/:sa/tokens/:token/revoke") { console, _ in
            let slug = try console.parameter("sa")
            let token = try console.parameter("token")
            try await identity.deleteToken(serviceAccountSlug: slug, tokenSlug: token, caller: console.caller)
            return console.redirect(to: "/console/service-accounts/\(slug)", notice: "Token \(token) revoked.")
        }
    }

    /// The account's name and slug, or the Identity module's 404 when the organization has no such account.
    func accountName(_ console: ConsoleRequest, slug: String) async throws -> ServiceAccountName {
        try console.caller.require(.read(.tokens))
        guard
            let name = try await database.first(
                """
                SELECT name FROM "user"
                WHERE organization_id = \(console.caller.organizationID) AND type = 'machine' AND slug = \(slug) AND deleted_at IS NULL
                """,
                as: String.self, logger: database.logger)
        else {
            throw APIError.notFound("Console.ServiceAccountNotFound", "service account \"\(slug)\" not found")
        }
        return ServiceAccountName(name: name, slug: slug)
    }
}

struct ServiceAccountName {
    let name: String
    let slug: String

    var link: String { "/console/service-accounts/\(slug)" }
}
