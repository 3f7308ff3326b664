import Foundation
import Hummingbird
import KaitenCore
import KaitenLicenses
import PostgresNIO

/// One entitlement of the organization and what a license grants of it, nil when it grants nothing.
struct LicenseGrant {
    let slug: String
    let name: String
    let type: String
    let value: EntitlementValue?
    let overagePercent: Int?

    var isNumber: Bool { type == "NUMBER" || type == "NUMBER_AI_CREDIT" }

    /// The field of the grants editor that holds the value, where a refused value is explained.
    var valueField: String {
        switch type {
        case "BOOLEAN": "enabled"
        case "CONFIG": "config"
        default: "threshold"
        }
    }

    /// The grant as people read it: `10 (+15 % overage)`, `Unlimited`, `On`, `Configured`.
    var summary: String {
        switch value {
        case .number(let threshold, _) where threshold == EntitlementValue.unlimited: "Unlimited"
        case .number(let threshold, _):
            (overagePercent ?? 0) > 0 ? "\(Self.plain(threshold)) (+\(overagePercent ?? 0) % overage)" : Self.plain(threshold)
        case .boolean(let enabled): enabled ? "On" : "Off"
        case .object: "Configured"
        case nil: "Not granted"
        }
    }

    /// What the editor's inputs for this grant read: the values typed when a write was refused, else the
    /// stored ones. `nameSuffix` tells the inputs of one entitlement apart on a form that edits several.
    func editor(nameSuffix: String = "", typed: [String: String]? = nil, errors: [String: String] = [:]) -> [String: Any] {
        var data: [String: Any] = [
            "slug": slug, "name": name, "type": CustomersPages.licenseTypeLabel(type.replacingOccurrences(of: "_", with: " ")),
            "nameSuffix": nameSuffix, "errors": errors, "isNumber": isNumber, "isBoolean": type == "BOOLEAN", "isConfig": type == "CONFIG",
            "summary": summary, "granted": value != nil,
        ]
        if let typed {
            let field = { (name: String) in typed["\(name)\(nameSuffix)"] }
            data["threshold"] = field("threshold") ?? ""
            data["unlimited"] = field("unlimited") != nil
            data["overage"] = field("overage") ?? ""
            data["enabled"] = field("enabled") != nil
            data["config"] = field("config") ?? ""
            data["granted"] = field("grant") != nil
            return data
        }
        data["threshold"] = ""
        data["overage"] = ""
        data["config"] = "{}"
        switch value {
        case .number(let threshold, _) where threshold == EntitlementValue.unlimited:
            data["unlimited"] = true
        case .number(let threshold, _):
            data["threshold"] = Self.plain(threshold)
            data["overage"] = overagePercent.map(String.init) ?? ""
        case .boolean(let enabled): data["enabled"] = enabled
        case .object(let members): data["config"] = JSONValue.object(members).jsonText
        case nil: break
        }
        return data
    }

    /// The body of associate-entitlement and update-license-entitlement from the editor's inputs. Text that is
    /// no number or no JSON is sent as text, so the API's own refusal explains what it expects.
    func body(_ form: FormBody, nameSuffix: String = "") -> JSONValue {
        let field = { (name: String) in form.text("\(name)\(nameSuffix)") }
        var members: [String: JSONValue] = ["entitlementSlug": .string(slug)]
        switch type {
        case "BOOLEAN":
            members["value"] = ["type": "boolean", "value": .bool(field("enabled") != nil)]
        case "CONFIG":
            let text = field("config") ?? ""
            members["value"] = ["type": "object", "value": (try? JSONValue.parse(Array(text.utf8))) ?? .string(text)]
        default:
            if field("unlimited") != nil {
                members["value"] = ["type": "number", "value": .integer(Int64(EntitlementValue.unlimited))]
            } else {
                members["value"] = ["type": "number", "value": Self.number(field("threshold"))]
                if let overage = field("overage") { members["limitCapExceededOveragePercent"] = Self.number(overage) }
            }
        }
        return .object(members)
    }

    /// A refused grant's messages by editor field: the API locates schema violations (`body.value.value`) and
    /// names the others by code (`….InvalidValue`, `….InvalidLimitCapExceededOveragePercent`).
    func errors(of error: APIError) -> [String: String] {
        var errors: [String: String] = [:]
        for (field, message) in FormFailure(error, fields: ["value", "limitCapExceededOveragePercent"]).fieldErrors {
            errors[field == "value" ? valueField : "overage"] = message
        }
        if error.code.hasSuffix(".InvalidValue") { errors[valueField] = error.detail }
        if error.code.hasSuffix(".InvalidLimitCapExceededOveragePercent") { errors["overage"] = error.detail }
        return errors
    }

    private static func number(_ text: String?) -> JSONValue {
        guard let text else { return .null }
        if let integer = Int64(text) { return .integer(integer) }
        if let number = Double(text), number.isFinite { return .number(number) }
        return .string(text)
    }

    /// `10`, `2.5`: a threshold as typed, without grouping.
    private static func plain(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A grant write the API refused, shown on the entitlement's editor with what was typed.
struct GrantFailure {
    let entitlementSlug: String
    let problem: String
    let errors: [String: String]
    let typed: [String: String]
    let status: HTTPResponse.Status
}

extension LicensesPages {
    /// Every entitlement of the organization, with what the license grants of it (nothing without a license).
    func grants(_ console: ConsoleRequest, licenseSlug: String?) async throws -> [LicenseGrant] {
        try console.caller.require(.read(.licenses))
        let rows = try await database.all(
            """
            SELECT e.slug, e.name, e.type::text, le.value::text, le.limit_cap_exceeded_overage_percent::int
            FROM entitlement e
            LEFT JOIN license_entitlement le ON le.entitlement_id = e.id
              AND le.license_id = (SELECT id FROM license WHERE organization_id = \(console.caller.organizationID) AND slug = \(licenseSlug))
            WHERE e.organization_id = \(console.caller.organizationID)
            ORDER BY e.name, e.slug
            """,
            as: (String, String, String, String?, Int?).self, logger: database.logger)
        return rows.map { row in
            LicenseGrant(
                slug: row.0, name: row.1, type: row.2,
                value: row.3.flatMap { try? JSONValue.parse(Array($0.utf8)) }.flatMap { EntitlementValue(json: $0) },
                overagePercent: row.4)
        }
    }

    func grant(_ console: ConsoleRequest, _ form: FormBody, licenseSlug: String) async throws -> Response {
        let entitlementSlug = form["entitlement"] ?? ""
        let entitlement =
            try await grants(console, licenseSlug: licenseSlug).first { $0.slug == entitlementSlug }
            ?? LicenseGrant(slug: entitlementSlug, name: entitlementSlug, type: "NUMBER", value: nil, overagePercent: nil)
        do {
            try await licenses.associateEntitlement(
                licenseSlug: licenseSlug, try AssociateEntitlementWithLicense.Command(body: entitlement.body(form)), caller: console.caller)
            return console.redirect(to: "/console/licenses/\(licenseSlug)", notice: "\(entitlement.name) granted.")
        } catch let error as APIError where error.isCorrectable {
            let failure = GrantFailure(
                entitlementSlug: entitlementSlug, problem: error.detail, errors: entitlement.errors(of: error), typed: form.typed,
                status: HTTPResponse.Status(code: error.status))
            return console.render(try await detail(console, slug: licenseSlug, adding: entitlementSlug, failure: failure))
        }
    }

    func updateGrant(_ console: ConsoleRequest, _ form: FormBody, licenseSlug: String, entitlementSlug: String) async throws -> Response {
        guard let entitlement = try await grants(console, licenseSlug: licenseSlug).first(where: { $0.slug == entitlementSlug && $0.value != nil })
        else {
            throw APIError.notFound("UpdateLicenseEntitlement.NotFound", "License \(licenseSlug) grants no entitlement \(entitlementSlug)")
        }
        do {
            try await licenses.updateEntitlement(
                licenseSlug: licenseSlug, entitlementSlug: entitlementSlug, try UpdateLicenseEntitlement.Command(body: entitlement.body(form)),
                caller: console.caller)
            return console.redirect(to: "/console/licenses/\(licenseSlug)", notice: "\(entitlement.name) saved.")
        } catch let error as APIError where error.isCorrectable {
            let failure = GrantFailure(
                entitlementSlug: entitlementSlug, problem: error.detail, errors: entitlement.errors(of: error), typed: form.typed,
                status: HTTPResponse.Status(code: error.status))
            return console.render(try await detail(console, slug: licenseSlug, adding: nil, failure: failure))
        }
    }

    func grantRemoval(_ console: ConsoleRequest, licenseSlug: String, entitlementSlug: String) async throws -> Page {
        let license = try await licenses.get(slug: licenseSlug, caller: console.caller)
        let name = try await grants(console, licenseSlug: licenseSlug).first { $0.slug == entitlementSlug && $0.value != nil }?.name
        var data: [String: Any] = [
            "kind": "grant", "name": name ?? entitlementSlug, "action": "/console/licenses/\(licenseSlug)/grants/\(entitlementSlug)/delete",
            "cancel": "/console/licenses/\(licenseSlug)",
            "consequence": "\(license.name) v\(license.version) stops granting \(name ?? entitlementSlug); instances on it lose it at once.",
        ]
        if name == nil { data["blocked"] = "\(license.name) v\(license.version) grants no entitlement \(entitlementSlug)." }
        return Page(template: "confirm-delete", title: "Remove \(name ?? entitlementSlug)", section: .licenses, data: data)
    }

    func removeGrant(_ console: ConsoleRequest, licenseSlug: String, entitlementSlug: String) async throws -> Response {
        try await licenses.deleteEntitlement(licenseSlug: licenseSlug, entitlementSlug: entitlementSlug, caller: console.caller)
        return console.redirect(to: "/console/licenses/\(licenseSlug)", notice: "Grant of \(entitlementSlug) removed.")
    }
}
