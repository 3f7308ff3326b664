import Foundation
import Hummingbird
import KaitenCore
import KaitenEntitlements
import PostgresNIO

/// `/console/entitlements/{slug}`: the entitlement's general card and the licenses granting it.
extension EntitlementsPages {
    func detail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let entitlement = try await entitlements.get(slug: slug, caller: console.caller)
        let grants = try await EntitlementGrants(slug: slug, console: console, database: database)
        let units = entitlement.unitSingular.map { "\($0) / \(entitlement.unitPlural ?? $0)" } ?? "—"
        return Page(
            template: "entitlement-detail", title: entitlement.name, section: .entitlements,
            data: [
                "entitlement": [
                    "name": entitlement.name, "slug": entitlement.slug, "description": entitlement.description ?? "—",
                    "type": Self.label(entitlement.type), "aggregation": entitlement.aggregationMethod.map(Self.label) ?? "—",
                    "groups": entitlement.entitlementGroups.isEmpty ? "—" : entitlement.entitlementGroups.map(\.name).joined(separator: ", "),
                    "reset": Self.resetLabel(period: entitlement.resetPeriod, anchor: entitlement.resetAnchor), "units": units,
                    "userFacing": entitlement.userFacing ? "Yes" : "No", "displayOrder": entitlement.displayOrder,
                    "createdAt": Format.date(entitlement.createdAt), "updatedAt": Format.date(entitlement.updatedAt),
                ] as [String: Any],
                "isNumber": entitlement.aggregationMethod != nil,
                "grants": grants.data,
                "granted": !grants.grants.isEmpty,
                "canWrite": console.caller.scopes.grants(.write(.entitlements)),
            ])
    }

    /// "Lifetime", or "Month, from the calendar".
    static func resetLabel(period: String?, anchor: String?) -> String {
        guard let period else { return "Lifetime" }
        return "\(label(period)), from the \(anchor == "LICENSE_START" ? "license start" : "calendar")"
    }
}
