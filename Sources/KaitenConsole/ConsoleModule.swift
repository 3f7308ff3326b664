import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenCustomers
import KaitenHTTP
import KaitenIdentity
import PostgresNIO

/// The console: every resource in a browser, rendered on the server as HTML at `/console` on the Core
/// listener, with no build step and a little script only where HTML cannot do the job.
///
/// Reads run the console's own queries, joined, filtered, sorted and paged in SQL, a fixed number per page;
/// every write calls the same module use case as the API, so validation, scopes, events and webhooks are
/// the same whichever way a change comes in.
package struct ConsoleModule: Sendable {
    let database: Database
    let authenticator: Authenticator
    let sessions: BrowserSessions
    let useCases: ConsoleUseCases
    let cookies: ConsoleCookies
    let renderer: PageRenderer

    /// - Parameter secureCookies: whether the session cookie is sent over HTTPS only (off for `kaiten dev`).
    package init(
        database: Database, authenticator: Authenticator, sessions: BrowserSessions, useCases: ConsoleUseCases, secureCookies: Bool
    ) throws {
        self.database = database
        self.authenticator = authenticator
        self.sessions = sessions
        self.useCases = useCases
        cookies = ConsoleCookies(secure: secureCookies)
        renderer = try PageRenderer()
    }

    package func registerRoutes(on router: Router<KaitenRequestContext>) {
        router.get("/") { _, _ in PageRenderer.redirect(to: "/console/dashboard") }
        let group = router.group("console")
        group.get("/") { _, _ in PageRenderer.redirect(to: "/console/dashboard") }
        let renderer = renderer
        group.get("static/:file") { request, context in
            guard let asset = renderer.asset(named: try context.parameters.path("file")) else {
                return PageRenderer.html("Not found", status: .notFound)
            }
            var headers = PageRenderer.securityHeaders
            headers[.contentType] = asset.contentType
            // The page links each asset with its digest, so a cached copy is never stale.
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.body))
        }
        let routes = ConsoleRoutes(group: group, gate: ConsoleGate(renderer: renderer, sessions: sessions, cookies: cookies))
        SignIn(authenticator: authenticator, sessions: sessions, renderer: renderer, cookies: cookies).register(on: routes)
        DashboardPage(database: database).register(on: routes)
        CustomersPages(database: database, customers: useCases.customers).register(on: routes)
        InstancesPages(database: database, instances: useCases.instances).register(on: routes)
        FeatureFlagsPages(database: database, featureFlags: useCases.featureFlags).register(on: routes)
        EntitlementsPages(database: database, entitlements: useCases.entitlements).register(on: routes)
        LicensesPages(database: database, licenses: useCases.licenses).register(on: routes)
        ReleasesPages(database: database, deployments: useCases.deployments).register(on: routes)
        ServiceAccountsPages(database: database, identity: useCases.identity).register(on: routes)
        WebhooksPages(database: database, webhooks: useCases.webhooks).register(on: routes)
        AuditTrailPages(database: database).register(on: routes)
        SettingsPages(database: database, metadataFields: useCases.metadataFields).register(on: routes)
        // Any other console path: the not-found page, not the API's problem document.
        routes.page("**") { console in
            console.render(
                Page(
                    template: "error", title: "Not found", section: nil,
                    data: ["heading": "Not found", "detail": "There is no console page at \(console.request.uri.path)."], status: .notFound))
        }
    }
}
