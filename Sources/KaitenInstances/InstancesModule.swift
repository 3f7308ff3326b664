import Hummingbird
import KaitenCore
import KaitenHTTP

/// Instances (a customer's deployments of the product, each on a license) and their usage metering.
package struct InstancesModule: Sendable {
    let database: Database
    let metadataValidator: any MetadataValidating
    /// Usage reports, decided in batches per pair.
    let usageReports: GroupCommit<UsagePairKey, UsageSubmission, UsageDecision>

    package init(database: Database, metadataValidator: any MetadataValidating) {
        self.database = database
        self.metadataValidator = metadataValidator
        // A batch's statement grows with its reports; 64 covers any number of reporters one pair sees at once.
        usageReports = GroupCommit(maximumBatch: 64) { key, submissions in
            await UsageReportBatch.decide(submissions, for: key, database: database)
        }
    }

    package func registerRoutes(on router: OperationRouter) {
        GetInstances.register(on: router, module: self)
        CreateInstance.register(on: router, module: self)
        GetInstance.register(on: router, module: self)
        UpdateInstance.register(on: router, module: self)
        PatchInstance.register(on: router, module: self)
        DeleteInstance.register(on: router, module: self)
        GetEntitlementsUsageMetrics.register(on: router, module: self)
        GetEntitlementUsageMetrics.register(on: router, module: self)
        ReportEntitlementUsageMetric.register(on: router, module: self)
        GetInstanceIntegration.register(on: router, module: self)
        CreateInstanceIntegration.register(on: router, module: self)
        UpdateInstanceIntegration.register(on: router, module: self)
        DeleteInstanceIntegration.register(on: router, module: self)
        GetInstanceIntegrationByExternalId.register(on: router, module: self)
        UpsertInstanceIntegrationByExternalId.register(on: router, module: self)
    }
}
