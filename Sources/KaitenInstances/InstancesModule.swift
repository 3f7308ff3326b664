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

    public func registerRoutes(on router: RouterGroup<KaitenRequestContext>) {
        ListInstances.register(on: router, module: self)
        CreateInstance.register(on: router, module: self)
        GetInstance.register(on: router, module: self)
        UpdateInstance.register(on: router, module: self)
        PatchInstance.register(on: router, module: self)
        DeleteInstance.register(on: router, module: self)
        GetEntitlementsUsageMetrics.register(on: router, module: self)
        GetEntitlementUsageMetrics.register(on: router, module: self)
        ReportEntitlementUsageMetric.register(on: router, module: self)
    }
}
