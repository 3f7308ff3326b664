import Hummingbird
import KaitenCore
import KaitenHTTP

/// Entitlements (what a license can grant) and their groups.
package struct EntitlementsModule: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func registerRoutes(on router: OperationRouter) {
        CreateEntitlement.register(on: router, module: self)
        ListEntitlements.register(on: router, module: self)
        GetEntitlement.register(on: router, module: self)
        UpdateEntitlement.register(on: router, module: self)
        DeleteEntitlement.register(on: router, module: self)
        CreateEntitlementGroup.register(on: router, module: self)
        ListEntitlementGroups.register(on: router, module: self)
        GetEntitlementGroup.register(on: router, module: self)
        UpdateEntitlementGroup.register(on: router, module: self)
        DeleteEntitlementGroup.register(on: router, module: self)
        AddEntitlementToGroup.register(on: router, module: self)
        RemoveEntitlementFromGroup.register(on: router, module: self)
        GetEntitlementGroupUsage.register(on: router, module: self)
    }
}
