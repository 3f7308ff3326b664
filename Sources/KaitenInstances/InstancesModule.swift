import Hummingbird
import KaitenCore
import KaitenHTTP

/// Instances (a customer's deployments of the product, each on a license) and their usage metering.
public struct InstancesModule: Sendable {
    let database: Database
    let metadataValidator: any MetadataValidating

    public init(database: Database, metadataValidator: any MetadataValidating) {
        self.database = database
        self.metadataValidator = metadataValidator
    }

    public func registerRoutes(on router: RouterGroup<KaitenRequestContext>) {}
}
