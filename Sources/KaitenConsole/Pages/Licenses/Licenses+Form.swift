import Foundation
import Hummingbird
import KaitenCore
import KaitenLicenses
import PostgresNIO

/// `/console/licenses/new`: a new license, or with `?base=<version>` the next version of that version's
/// family, its description and grants copied from the base. The version is created as a draft, its grants are
/// added, then it is published unless "Save as draft" is ticked.
extension LicensesPages {
    static let fields: Set<String> = ["name", "slug", "type", "versionName", "description", "familySlug"]

    func editor(_ console: ConsoleRequest, baseSlug: String?, typed: [String: String]? = nil, failure: FormFailure? = nil) async throws -> Page {
        var base: LicenseResource?
        if let baseSlug { base = try await licenses.get(slug: baseSlug, caller: console.caller) }
        let entitlements = try await grants(console, licenseSlug: base?.slug)
        var data: [String: Any] = [
            "creating": base == nil,
            "values": typed ?? [
                "name": base?.name ?? "", "slug": "", "type": base?.type ?? "", "versionName": "", "description": base?.description ?? "",
            ],
            "grants": entitlements.map { $0.editor(nameSuffix: "-\($0.slug)", typed: typed) },
            "hasEntitlements": !entitlements.isEmpty,
            "cancel": base.map { "/console/licenses/\($0.slug)" } ?? "/console/licenses",
            "draft": typed.map { $0["draft"] != nil } ?? false,
        ]
        let selectedType = (typed?["type"] ?? base?.type ?? "").uppercased()
        data["types"] = CustomersPages.licenseTypes.sorted().map {
            ["value": $0, "label": CustomersPages.licenseTypeLabel($0), "selected": $0 == selectedType] as [String: Any]
        }
        if let base {
            let versions = try await database.all(
                """
                SELECT l.slug, l.name, l.version, l.version_name, l.lifecycle_state::text, f.slug, f.last_version
                FROM license l JOIN license_family f ON f.id = l.family_id
                WHERE l.organization_id = \(console.caller.organizationID) AND l.family_id = \(UUID(uuidString: base.familyId))
                ORDER BY l.version DESC
                """,
                as: (String, String, Int, String, String, String, Int).self, logger: database.logger)
            data["base"] =
                [
                    "slug": base.slug, "familySlug": versions.first?.5 ?? "", "nextVersion": "v\((versions.first?.6 ?? 0) + 1)",
                    "versions": versions.map { row in
                        [
                            "slug": row.0, "label": "\(row.1) v\(row.2) · \(row.3) (\(Self.stateLabel(row.4).lowercased()))",
                            "selected": row.0 == base.slug,
                        ] as [String: Any]
                    },
                ] as [String: Any]
        }
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "license-form", title: base.map { "New version of \($0.name)" } ?? "New license", section: .licenses, data: data,
            status: failure?.status ?? .ok)
    }

    /// The create-license body from the form: always a draft at first, blank optional fields left out.
    static func body(_ form: FormBody) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(form["name"] ?? ""), "description": .string(form["description"] ?? ""), "type": .string(form["type"] ?? ""),
            "isDefault": false, "lifecycleState": "DRAFT",
        ]
        if let slug = form.text("slug") { members["slug"] = .string(slug) }
        if let versionName = form.text("versionName") { members["versionName"] = .string(versionName) }
        if let familySlug = form.text("familySlug") { members["familySlug"] = .string(familySlug) }
        return .object(members)
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        let license: LicenseResource
        do {
            license = try await licenses.create(try CreateLicense.Command(body: Self.body(form)), caller: console.caller)
        } catch let error as APIError where error.isCorrectable {
            return console.render(
                try await editor(console, baseSlug: form.text("base"), typed: form.typed, failure: FormFailure(error, fields: Self.fields)))
        }
        let name = "\(license.name) v\(license.version)"
        var refusal: GrantFailure?
        for entitlement in try await grants(console, licenseSlug: nil) where form["grant-\(entitlement.slug)"] != nil {
            let suffix = "-\(entitlement.slug)"
            do {
                try await licenses.associateEntitlement(
                    licenseSlug: license.slug, try AssociateEntitlementWithLicense.Command(body: entitlement.body(form, nameSuffix: suffix)),
                    caller: console.caller)
            } catch let error as APIError where error.isCorrectable {
                // The draft stays: its grant editor opens on the refused value, what was typed kept.
                refusal =
                    refusal
                    ?? GrantFailure(
                        entitlementSlug: entitlement.slug,
                        problem: "\(name) was created as a draft, but its grant of \(entitlement.name) was refused: \(error.detail)",
                        errors: entitlement.errors(of: error),
                        typed: Dictionary(
                            form.fields.filter { $0.name.hasSuffix(suffix) }.map { (String($0.name.dropLast(suffix.count)), $0.value) },
                            uniquingKeysWith: { first, _ in first }),
                        status: HTTPResponse.Status(code: error.status))
            }
        }
        if let refusal {
            return console.render(try await detail(console, slug: license.slug, adding: refusal.entitlementSlug, failure: refusal))
        }
        if form["draft"] != nil {
            return console.redirect(to: "/console/licenses/\(license.slug)", notice: "License \(name) saved as a draft.")
        }
        do {
            _ = try await licenses.publish(slug: license.slug, caller: console.caller)
        } catch let error as APIError where error.isCorrectable {
            return console.redirect(
                to: "/console/licenses/\(license.slug)", notice: "\(name) was saved as a draft; publishing it failed: \(error.detail)")
        }
        return console.redirect(to: "/console/licenses/\(license.slug)", notice: "License \(name) created and published.")
    }
}
