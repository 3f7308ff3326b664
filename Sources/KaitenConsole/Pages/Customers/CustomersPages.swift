import Foundation
import Hummingbird
import KaitenCore
import KaitenCustomers
import PostgresNIO

/// The customer pages: list, detail, and the create, edit and delete forms, whose writes are the
/// Customers module's use cases.
struct CustomersPages: Sendable {
    let database: Database
    let customers: CustomersModule

    func register(on routes: ConsoleRoutes) {
        routes.page("customers") { console in console.render(try await list(console)) }
        routes.page("customers/new") { console in console.render(editor(console, customer: nil)) }
        routes.form("customers") { console, form in try await create(console, form) }
        routes.page("customers/:slug") { console in console.render(try await detail(console, slug: try console.parameter("slug"))) }
        routes.page("customers/:slug/edit") { console in
            let customer = try await customers.get(slug: try console.parameter("slug"), caller: console.caller)
            return console.render(editor(console, customer: customer))
        }
        routes.form("customers/:slug") { console, form in try await update(console, form, slug: try console.parameter("slug")) }
        routes.page("customers/:slug/delete") { console in
            console.render(try await deletion(console, slug: try console.parameter("slug")))
        }
        routes.form("customers/:slug/delete") { console, _ in
            let slug = try console.parameter("slug")
            try await customers.delete(slug: slug, caller: console.caller)
            return console.redirect(to: "/console/customers", notice: "Customer \(slug) deleted.")
        }
    }
}
