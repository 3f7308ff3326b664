import Foundation
import Hummingbird
import KaitenCore
import KaitenLicenses
import PostgresNIO

/// A version's lifecycle and default moves, each confirmed on its own page before it is made.
enum LicenseAction: String, CaseIterable {
    case publish, archive, unarchive
    case setDefault = "set-default"
    case unsetDefault = "unset-default"

    var label: String {
        switch self {
        case .publish: "Publish"
        case .archive: "Archive"
        case .unarchive: "Unarchive"
        case .setDefault: "Set default"
        case .unsetDefault: "Unset default"
        }
    }

    /// Whether the version's state offers the move; the default stays published, so it is not offered archiving.
    func applies(state: String, isDefault: Bool) -> Bool {
        switch self {
        case .publish: state == "DRAFT"
        case .archive: state == "PUBLISHED" && !isDefault
        case .unarchive: state == "ARCHIVED"
        case .setDefault: state == "PUBLISHED" && !isDefault
        case .unsetDefault: isDefault
        }
    }

    var consequence: String {
        switch self {
        case .publish: "The version goes on sale: instances can be put on it, and its family can serve it. It cannot become a draft again."
        case .archive: "The version is withdrawn from sale. Instances already on it keep it; no new instance can be put on it."
        case .unarchive: "The version goes back on sale."
        case .setDefault: "The version becomes the one its family serves; the previous default stops being the default."
        case .unsetDefault: "The family serves its newest published version instead."
        }
    }

    func notice(_ name: String) -> String {
        switch self {
        case .publish: "License \(name) published."
        case .archive: "License \(name) archived."
        case .unarchive: "License \(name) unarchived."
        case .setDefault: "License \(name) is now its family's default."
        case .unsetDefault: "License \(name) is no longer its family's default."
        }
    }
}

extension LicensesPages {
    func confirmation(_ console: ConsoleRequest, _ action: LicenseAction, slug: String, refusal: APIError? = nil) async throws -> Page {
        let license = try await licenses.get(slug: slug, caller: console.caller)
        var data: [String: Any] = [
            "heading": "\(action.label) “\(license.name) v\(license.version)”?", "consequence": action.consequence, "button": action.label,
            "action": "/console/licenses/\(slug)/\(action.rawValue)", "cancel": "/console/licenses/\(slug)",
        ]
        data["problem"] = refusal?.detail
        return Page(
            template: "license-action", title: "\(action.label) \(license.name)", section: .licenses, data: data,
            status: refusal.map { HTTPResponse.Status(code: $0.status) } ?? .ok)
    }

    func perform(_ console: ConsoleRequest, _ action: LicenseAction, slug: String) async throws -> Response {
        return try await console.submit {
            let license = try await licenses.get(slug: slug, caller: console.caller)
            switch action {
            case .publish: _ = try await licenses.publish(slug: slug, caller: console.caller)
            case .archive: _ = try await licenses.archive(slug: slug, caller: console.caller)
            case .unarchive: _ = try await licenses.unarchive(slug: slug, caller: console.caller)
            case .setDefault, .unsetDefault:
                // The update is a full replacement: everything but the flag is written back as it was read.
                let body: JSONValue = [
                    "name": .string(license.name), "description": .string(license.description), "type": .string(license.type),
                    "versionName": .string(license.versionName), "isDefault": .bool(action == .setDefault),
                ]
                try await licenses.update(slug: slug, try UpdateLicense.Command(body: body), caller: console.caller)
            }
            return console.redirect(to: "/console/licenses/\(slug)", notice: action.notice(license.name))
        } refused: { error in
            try await confirmation(console, action, slug: slug, refusal: error)
        }
    }

    /// The confirmation before deleting a draft, which names its grants: they go first, then the version. A
    /// version on sale, or one an instance holds, is kept, so its grants are never removed for nothing.
    func deletion(_ console: ConsoleRequest, slug: String, refusal: APIError? = nil) async throws -> Page {
        let license = try await licenses.get(slug: slug, caller: console.caller)
        let holdings = try await draftHoldings(console, licenseSlug: slug)
        let grants = holdings.grants.map(\.name)
        var data: [String: Any] = [
            "kind": "license version", "name": "\(license.name) v\(license.version)", "action": "/console/licenses/\(slug)/delete",
            "cancel": "/console/licenses/\(slug)",
            "consequence": grants.isEmpty ? "The draft is deleted." : "The draft and its grants (\(grants.joined(separator: ", "))) are deleted.",
        ]
        data["blocked"] = refusal?.detail ?? Self.deletionBlock(license, instances: holdings.instances)
        return Page(
            template: "confirm-delete", title: "Delete \(license.name)", section: .licenses, data: data,
            status: refusal.map { HTTPResponse.Status(code: $0.status) } ?? .ok)
    }

    func delete(_ console: ConsoleRequest, slug: String) async throws -> Response {
        let license = try await licenses.get(slug: slug, caller: console.caller)
        let holdings = try await draftHoldings(console, licenseSlug: slug)
        if Self.deletionBlock(license, instances: holdings.instances) != nil {
            return console.render(try await deletion(console, slug: slug))
        }
        return try await console.submit {
            for grant in holdings.grants {
                try await licenses.deleteEntitlement(licenseSlug: slug, entitlementSlug: grant.slug, caller: console.caller)
            }
            try await licenses.delete(slug: slug, caller: console.caller)
            return console.redirect(to: "/console/licenses", notice: "License \(license.name) v\(license.version) deleted.")
        } refused: { error in
            try await deletion(console, slug: slug, refusal: error)
        }
    }

    /// Why the version cannot be deleted here, nil when it can.
    static func deletionBlock(_ license: LicenseResource, instances: Int) -> String? {
        if license.lifecycleState != "DRAFT" {
            return "Only a draft can be deleted; \(license.name) v\(license.version) is \(stateLabel(license.lifecycleState).lowercased())."
        }
        if instances > 0 {
            return
                "\(instances) instance\(instances == 1 ? " is" : "s are") on \(license.name) v\(license.version). Move them to another license first."
        }
        return nil
    }

    /// The draft's grants and how many instances hold it, in one query.
    private func draftHoldings(
        _ console: ConsoleRequest, licenseSlug: String
    ) async throws -> (grants: [(slug: String, name: String)], instances: Int) {
        let row = try await database.first(
            """
            SELECT COALESCE(array_agg(e.slug ORDER BY e.name) FILTER (WHERE e.id IS NOT NULL), '{}'),
                   COALESCE(array_agg(e.name ORDER BY e.name) FILTER (WHERE e.id IS NOT NULL), '{}'),
                   (SELECT count(*) FROM instance i WHERE i.license_id = l.id)::int
            FROM license l
            LEFT JOIN license_entitlement le ON le.license_id = l.id
            LEFT JOIN entitlement e ON e.id = le.entitlement_id
            WHERE l.organization_id = \(console.caller.organizationID) AND l.slug = \(licenseSlug)
            GROUP BY l.id
            """,
            as: ([String], [String], Int).self, logger: database.logger)
        guard let row else { return ([], 0) }
        return (Array(zip(row.0, row.1)).map { (slug: $0.0, name: $0.1) }, row.2)
    }
}
