import Foundation
import Hummingbird
import KaitenCore
import KaitenInstances
import PostgresNIO

/// The instance pages: list, detail with its usage, the usage history and its CSV export, and the create,
/// edit, status, deploy and delete forms, whose writes are the Instances module's use cases.
struct InstancesPages: Sendable {
    let database: Database
    let instances: InstancesModule

    func register(on routes: ConsoleRoutes) {
        routes.page("instances") { console in console.render(try await list(console)) }
        routes.page("instances/new") { console in console.render(try await editor(console, instance: nil)) }
        routes.form("instances") { console, form in try await create(console, form) }
        routes.page("instances/:slug") { console in console.render(try await detail(console, slug: try console.parameter("slug"))) }
        routes.page("instances/:slug/edit") { console in
            let instance = try await instances.get(slug: try console.parameter("slug"), caller: console.caller)
            return console.render(try await editor(console, instance: instance))
        }
        routes.form("instances/:slug") { console, form in try await update(console, form, slug: try console.parameter("slug")) }
        routes.form("instances/:slug/status") { console, form in
            try await changeStatus(console, form, slug: try console.parameter("slug"))
        }
        routes.page("instances/:slug/deploy") { console in
            console.render(try await deployment(console, slug: try console.parameter("slug")))
        }
        routes.form("instances/:slug/deploy") { console, form in try await deploy(console, form, slug: try console.parameter("slug")) }
        routes.page("instances/:slug/delete") { console in
            console.render(try await deletion(console, slug: try console.parameter("slug")))
        }
        routes.form("instances/:slug/delete") { console, _ in
            let slug = try console.parameter("slug")
            try await instances.delete(slug: slug, caller: console.caller)
            return console.redirect(to: "/console/instances", notice: "Instance \(slug) deleted.")
        }
        // One route for the history and its export: the entitlement's slug never holds a dot, so `.csv` is the format.
        routes.page("instances/:slug/usage/:entitlement") { console in
            let slug = try console.parameter("slug")
            let entitlement = try console.parameter("entitlement")
            if entitlement.hasSuffix(".csv") {
                return try await usageExport(console, slug: slug, entitlementSlug: String(entitlement.dropLast(".csv".count)))
            }
            return console.render(try await usageHistory(console, slug: slug, entitlementSlug: entitlement))
        }
    }
}
