import Hummingbird
import KaitenCore
import KaitenHTTP

/// Licenses: versions in families, their lifecycle, and the entitlement values they grant.
public struct LicensesModule: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func registerRoutes(on router: RouterGroup<KaitenRequestContext>) {}
}
