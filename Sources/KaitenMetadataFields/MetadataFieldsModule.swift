import Hummingbird
import KaitenCore
import KaitenHTTP

/// Metadata fields: typed, JSON-Schema-validated metadata on instances and deployment zones.
public struct MetadataFieldsModule: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func registerRoutes(on router: RouterGroup<KaitenRequestContext>) {}
}
