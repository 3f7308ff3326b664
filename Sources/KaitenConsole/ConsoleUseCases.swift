import KaitenAuditTrail
import KaitenCustomers
import KaitenDeployments
import KaitenEntitlements
import KaitenFeatureFlags
import KaitenIdentity
import KaitenInstances
import KaitenLicenses
import KaitenMetadataFields
import KaitenWebhooks

/// The modules whose use cases the console's forms call: the same ones the API's operations call.
package struct ConsoleUseCases: Sendable {
    let identity: IdentityModule
    let customers: CustomersModule
    let instances: InstancesModule
    let entitlements: EntitlementsModule
    let licenses: LicensesModule
    let featureFlags: FeatureFlagsModule
    let deployments: DeploymentsModule
    let metadataFields: MetadataFieldsModule
    let auditTrail: AuditTrailModule
    let webhooks: WebhooksModule

    package init(
        identity: IdentityModule, customers: CustomersModule, instances: InstancesModule, entitlements: EntitlementsModule,
        licenses: LicensesModule, featureFlags: FeatureFlagsModule, deployments: DeploymentsModule, metadataFields: MetadataFieldsModule,
        auditTrail: AuditTrailModule, webhooks: WebhooksModule
    ) {
        self.identity = identity
        self.customers = customers
        self.instances = instances
        self.entitlements = entitlements
        self.licenses = licenses
        self.featureFlags = featureFlags
        self.deployments = deployments
        self.metadataFields = metadataFields
        self.auditTrail = auditTrail
        self.webhooks = webhooks
    }
}
