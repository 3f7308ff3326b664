import Foundation
import Hummingbird
import KaitenCore
import KaitenFeatureFlags
import PostgresNIO

/// The feature flag pages: list, detail, "Try it", and the create and edit form, whose writes are the
/// FeatureFlags module's use cases. There is no delete: the console never deletes a flag.
struct FeatureFlagsPages: Sendable {
    let database: Database
    let featureFlags: FeatureFlagsModule

    func register(on routes: ConsoleRoutes) {
        routes.page("feature-flags") { console in console.render(try await list(console)) }
        routes.page("feature-flags/new") { console in
            try console.caller.require(.read(.featureFlags))
            return console.render(editor(console, draft: .new, creating: true))
        }
        routes.form("feature-flags/new") { console, form in try await create(console, form) }
        routes.form("feature-flags/lint") { console, form in try await lint(console, form) }
        routes.page("feature-flags/:slug") { console in console.render(try await detail(console, slug: try console.parameter("slug"))) }
        routes.page("feature-flags/:slug/edit") { console in
            let flag = try await featureFlags.get(slug: try console.parameter("slug"), caller: console.caller)
            return console.render(editor(console, draft: FlagDraft(flag), creating: false))
        }
        routes.form("feature-flags/:slug/edit") { console, form in try await update(console, form, slug: try console.parameter("slug")) }
        routes.form("feature-flags/:slug/enabled") { console, form in
            try await setEnabled(console, form, slug: try console.parameter("slug"))
        }
        routes.page("feature-flags/:slug/try") { console in
            console.render(try await trial(console, slug: try console.parameter("slug"), form: nil))
        }
        routes.form("feature-flags/:slug/try") { console, form in
            console.render(try await trial(console, slug: try console.parameter("slug"), form: form))
        }
    }
}
