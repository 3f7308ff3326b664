import Foundation
import Hummingbird
import KaitenCore
import KaitenEntitlements
import PostgresNIO

/// The entitlement pages: list, detail, and the create, edit and delete forms, whose writes are the
/// Entitlements module's use cases.
struct EntitlementsPages: Sendable {
    let database: Database
    let entitlements: EntitlementsModule

    func register(on routes: ConsoleRoutes) {
        routes.page("entitlements") { console in console.render(try await list(console)) }
        routes.page("entitlements/new") { console in console.render(try await editor(console, entitlement: nil)) }
        routes.form("entitlements") { console, form in try await create(console, form) }
        routes.page("entitlements/:slug") { console in console.render(try await detail(console, slug: try console.parameter("slug"))) }
        routes.page("entitlements/:slug/edit") { console in
            let entitlement = try await entitlements.get(slug: try console.parameter("slug"), caller: console.caller)
            return console.render(try await editor(console, entitlement: entitlement))
        }
        routes.form("entitlements/:slug") { console, form in try await update(console, form, slug: try console.parameter("slug")) }
        routes.page("entitlements/:slug/delete") { console in
            console.render(try await deletion(console, slug: try console.parameter("slug")))
        }
        routes.form("entitlements/:slug/delete") { console, _ in try await delete(console, slug: try console.parameter("slug")) }
    }

    /// The words for an entitlement's type and aggregation method.
    static func label(_ value: String) -> String {
        switch value {
        case "NUMBER_AI_CREDIT": "AI credit"
        case "LICENSE_START": "License start"
        default: value.prefix(1) + value.dropFirst().lowercased()
        }
    }
}
