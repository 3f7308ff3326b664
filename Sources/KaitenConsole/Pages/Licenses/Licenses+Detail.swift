import Foundation
import Hummingbird
import KaitenCore
import KaitenLicenses
import PostgresNIO

/// `/console/licenses/{slug}`: one version's details, the other versions of its family, and the grants
/// editor. `?add=<entitlement>` opens the form that grants an entitlement not yet granted.
extension LicensesPages {
    func detail(_ console: ConsoleRequest, slug: String, adding: String?, failure: GrantFailure? = nil) async throws -> Page {
        let license = try await licenses.get(slug: slug, caller: console.caller)
        let versions = try await database.all(
            """
            SELECT l.name, l.slug, l.version, l.version_name, l.lifecycle_state::text, l.is_default, f.slug,
                   (SELECT count(*) FROM instance i WHERE i.license_id = l.id)::int
            FROM license l JOIN license_family f ON f.id = l.family_id
            WHERE l.organization_id = \(console.caller.organizationID) AND l.family_id = \(UUID(uuidString: license.familyId))
            ORDER BY l.version DESC
            """,
            as: (String, String, Int, String, String, Bool, String, Int).self, logger: database.logger)
        let entitlements = try await grants(console, licenseSlug: slug)
        let canWrite = console.caller.scopes.grants(.write(.licenses))
        let granted = entitlements.filter { $0.value != nil }.map { grant in
            let failed = failure?.entitlementSlug == grant.slug ? failure : nil
            var data = grant.editor(typed: failed?.typed, errors: failed?.errors ?? [:])
            data["action"] = "/console/licenses/\(slug)/grants/\(grant.slug)"
            data["removeLink"] = "/console/licenses/\(slug)/grants/\(grant.slug)/delete"
            data["problem"] = failed?.problem
            return data
        }
        let ungranted = entitlements.filter { $0.value == nil }
        var data: [String: Any] = [
            "license": [
                "name": license.name, "slug": license.slug, "version": "v\(license.version)", "versionName": license.versionName,
                "type": CustomersPages.licenseTypeLabel(license.type), "state": Self.stateLabel(license.lifecycleState),
                "stateClass": license.lifecycleState.lowercased(), "isDefault": license.isDefault,
                "description": license.description.isEmpty ? "—" : license.description, "createdAt": Format.date(license.createdAt),
                "updatedAt": Format.date(license.updatedAt), "family": versions.first?.6 ?? "",
                "instances": versions.first { $0.1 == slug }?.7 ?? 0,
            ] as [String: Any],
            "actions": canWrite
                ? LicenseAction.allCases.filter { $0.applies(state: license.lifecycleState, isDefault: license.isDefault) }.map {
                    ["label": $0.label, "link": "/console/licenses/\(slug)/\($0.rawValue)"]
                } : [],
            "deletable": canWrite && license.lifecycleState == "DRAFT",
            "newVersion": "/console/licenses/new?base=\(slug)",
            "versions": versions.map { row in
                [
                    "name": row.0, "link": "/console/licenses/\(row.1)", "version": "v\(row.2)", "versionName": row.3,
                    "state": Self.stateLabel(row.4), "stateClass": row.4.lowercased(), "isDefault": row.5, "instances": row.7,
                    "current": row.1 == slug,
                ] as [String: Any]
            },
            "grants": granted,
            "hasGrants": !granted.isEmpty,
            "ungranted": ungranted.map { ["slug": $0.slug, "name": $0.name, "selected": $0.slug == adding] as [String: Any] },
            "canGrant": canWrite && !ungranted.isEmpty,
            "canWrite": canWrite,
        ]
        if canWrite, let adding, let entitlement = ungranted.first(where: { $0.slug == adding }) {
            let failed = failure?.entitlementSlug == adding ? failure : nil
            var form = entitlement.editor(typed: failed?.typed, errors: failed?.errors ?? [:])
            form["problem"] = failed?.problem
            data["adding"] = form
            data["grantAction"] = "/console/licenses/\(slug)/grants"
        }
        return Page(
            template: "license-detail", title: "\(license.name) v\(license.version)", section: .licenses, data: data, status: failure?.status ?? .ok)
    }
}
