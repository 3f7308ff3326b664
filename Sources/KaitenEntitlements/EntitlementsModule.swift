import Hummingbird
import KaitenCore
import KaitenHTTP

/// Entitlements (what a license can grant) and their groups.
public struct EntitlementsModule: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func registerRoutes(on router: RouterGroup<KaitenRequestContext>) {}
}
