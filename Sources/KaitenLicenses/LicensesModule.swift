import Hummingbird
import KaitenCore
import KaitenHTTP

/// Licenses: versions in families, their lifecycle, and the entitlement values they grant.
package struct LicensesModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func registerRoutes(on router: OperationRouter) {
        GetLicenses.register(on: router, module: self)
        CreateLicense.register(on: router, module: self)
        GetLicense.register(on: router, module: self)
        UpdateLicense.register(on: router, module: self)
        DeleteLicense.register(on: router, module: self)
        PublishLicense.register(on: router, module: self)
        ArchiveLicense.register(on: router, module: self)
        UnarchiveLicense.register(on: router, module: self)
        GetLicenseEntitlements.register(on: router, module: self)
        AssociateEntitlementWithLicense.register(on: router, module: self)
        GetLicenseEntitlement.register(on: router, module: self)
        UpdateLicenseEntitlement.register(on: router, module: self)
        DeleteLicenseEntitlement.register(on: router, module: self)
        ListLicenseFamilies.register(on: router, module: self)
        GetLicenseFamily.register(on: router, module: self)
    }
}
