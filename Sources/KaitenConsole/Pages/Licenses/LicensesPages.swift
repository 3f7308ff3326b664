import Foundation
import Hummingbird
import KaitenCore
import KaitenLicenses
import PostgresNIO

/// The license pages: families and their versions, the create and new-version form, a version's details with
/// its grants editor, and the lifecycle actions, whose writes are the Licenses module's use cases.
struct LicensesPages: Sendable {
    let database: Database
    let licenses: LicensesModule

    func register(on routes: ConsoleRoutes) {
        routes.page("licenses") { console in console.render(try await list(console)) }
        routes.page("licenses/new") { console in console.render(try await editor(console, baseSlug: console.query("base"))) }
        routes.form("licenses") { console, form in try await create(console, form) }
        routes.page("licenses/:slug") { console in
            console.render(try await detail(console, slug: try console.parameter("slug"), adding: console.query("add")))
        }
        for action in LicenseAction.allCases {
            routes.page("licenses/:slug/\(action.rawValue)") { console in
                console.render(try await confirmation(console, action, slug: try console.parameter("slug")))
            }
            routes.form("licenses/:slug/\(action.rawValue)") { console, _ in
                try await perform(console, action, slug: try console.parameter("slug"))
            }
        }
        routes.page("licenses/:slug/delete") { console in console.render(try await deletion(console, slug: try console.parameter("slug"))) }
        routes.form("licenses/:slug/delete") { console, _ in try await delete(console, slug: try console.parameter("slug")) }
        routes.form("licenses/:slug/grants") { console, form in try await grant(console, form, licenseSlug: try console.parameter("slug")) }
        routes.form("licenses/:slug/grants/:entitlement") { console, form in
            try await updateGrant(console, form, licenseSlug: try console.parameter("slug"), entitlementSlug: try console.parameter("entitlement"))
        }
        routes.page("licenses/:slug/grants/:entitlement/delete") { console in
            console.render(
                try await grantRemoval(console, licenseSlug: try console.parameter("slug"), entitlementSlug: try console.parameter("entitlement")))
        }
        routes.form("licenses/:slug/grants/:entitlement/delete") { console, _ in
            try await removeGrant(console, licenseSlug: try console.parameter("slug"), entitlementSlug: try console.parameter("entitlement"))
        }
    }

    /// `Draft`, `Published`, `Archived`.
    static func stateLabel(_ state: String) -> String { CustomersPages.licenseTypeLabel(state) }
}
