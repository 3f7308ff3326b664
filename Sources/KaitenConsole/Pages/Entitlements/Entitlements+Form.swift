import Foundation
import Hummingbird
import KaitenCore
import KaitenEntitlements
import PostgresNIO

/// The entitlement form (create and edit) and the delete confirmation.
extension EntitlementsPages {
    static let fields: Set<String> = [
        "name", "slug", "description", "groupSlugs", "userFacing", "displayOrder", "type", "aggregationMethod", "resetPeriod", "resetAnchor",
        "unitSingular", "unitPlural",
    ]
    /// The types a person creates; AI credit entitlements are shown, not made here.
    static let creatableTypes = ["BOOLEAN", "NUMBER", "CONFIG"]
    static let resetPeriods = ["HOUR", "DAY", "WEEK", "MONTH", "YEAR"]

    func editor(
        _ console: ConsoleRequest, entitlement: EntitlementResource?, typed: FormBody? = nil, failure: FormFailure? = nil
    ) async throws -> Page {
        try console.caller.require(.read(.entitlements))
        let groups = try await groupChoices(console)
        let chosenGroups = Set(typed?.values("groupSlugs") ?? entitlement?.entitlementGroups.map(\.slug) ?? [])
        func value(_ field: String, _ stored: String?) -> String { typed?[field] ?? stored ?? "" }
        let type = entitlement?.type ?? typed?["type"] ?? "BOOLEAN"
        let aggregation = value("aggregationMethod", entitlement?.aggregationMethod ?? "SUM")
        let resetPeriod = value("resetPeriod", entitlement?.resetPeriod)
        let resetAnchor = value("resetAnchor", entitlement?.resetAnchor ?? "CALENDAR")
        var data: [String: Any] = [
            "creating": entitlement == nil,
            "action": entitlement.map { "/console/entitlements/\($0.slug)" } ?? "/console/entitlements",
            "cancel": entitlement.map { "/console/entitlements/\($0.slug)" } ?? "/console/entitlements",
            "values": [
                "name": value("name", entitlement?.name), "slug": value("slug", entitlement?.slug),
                "description": value("description", entitlement?.description),
                "displayOrder": value("displayOrder", entitlement.map { String($0.displayOrder) } ?? "0"),
                "unitSingular": value("unitSingular", entitlement?.unitSingular), "unitPlural": value("unitPlural", entitlement?.unitPlural),
            ],
            "userFacing": typed.map { $0["userFacing"] == "true" } ?? entitlement?.userFacing ?? false,
            "groups": groups.map { ["value": $0.slug, "label": $0.name, "checked": chosenGroups.contains($0.slug)] as [String: Any] },
            "hasGroups": !groups.isEmpty,
            "types": Self.creatableTypes.map { ["value": $0, "label": Self.label($0), "selected": $0 == type] as [String: Any] },
            "typeLabel": Self.label(type),
            "aggregations": Self.aggregations.map { ["value": $0, "label": Self.label($0), "selected": $0 == aggregation] as [String: Any] },
            "resetPeriods": Self.resetPeriods.map { ["value": $0, "label": Self.label($0), "selected": $0 == resetPeriod] as [String: Any] },
            "anchors": [("CALENDAR", "Calendar"), ("LICENSE_START", "License start")].map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == resetAnchor] as [String: Any]
            },
            "isNumberFamily": entitlement.map { $0.aggregationMethod != nil } ?? true,
        ]
        // Fixed once set: shown, not offered.
        if let fixed = entitlement?.aggregationMethod { data["fixedAggregation"] = Self.label(fixed) }
        if let entitlement, entitlement.resetPeriod != nil {
            data["fixedReset"] = Self.resetLabel(period: entitlement.resetPeriod, anchor: entitlement.resetAnchor)
        }
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "entitlement-form", title: entitlement.map { "Edit \($0.name)" } ?? "New entitlement", section: .entitlements,
            data: data, status: failure?.status ?? .ok)
    }

    /// The request body the API takes, from the form. On an edit, what is fixed once set (type, aggregation,
    /// reset) and what the form does not show (icon, sale units, warning threshold) are sent as stored.
    static func body(_ form: FormBody, current: EntitlementResource?) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(form["name"] ?? ""), "description": form.text("description").map(JSONValue.string) ?? .null,
            "groupSlugs": .array(form.values("groupSlugs").map(JSONValue.string)), "userFacing": .bool(form["userFacing"] == "true"),
        ]
        if current == nil, let slug = form.text("slug") { members["slug"] = .string(slug) }
        let type = current?.type ?? form["type"] ?? "BOOLEAN"
        members["type"] = .string(type)
        // Text that is not a whole number goes as text, for the API to refuse beside the field.
        if let order = form.text("displayOrder") { members["displayOrder"] = Int64(order).map(JSONValue.integer) ?? .string(order) }
        if let icon = current?.icon { members["icon"] = .string(icon) }
        guard type == "NUMBER" || type == "NUMBER_AI_CREDIT" else { return .object(members) }
        members["aggregationMethod"] = (current?.aggregationMethod ?? form.text("aggregationMethod")).map(JSONValue.string)
        let resetPeriod = current?.resetPeriod ?? form.text("resetPeriod")
        members["resetPeriod"] = resetPeriod.map(JSONValue.string)
        members["resetAnchor"] = resetPeriod == nil ? nil : (current?.resetAnchor ?? form.text("resetAnchor")).map(JSONValue.string)
        members["unitSingular"] = form.text("unitSingular").map(JSONValue.string)
        members["unitPlural"] = form.text("unitPlural").map(JSONValue.string)
        if let current {
            members["saleUnitSingular"] = current.saleUnitSingular.map(JSONValue.string)
            members["saleUnitPlural"] = current.saleUnitPlural.map(JSONValue.string)
            members["saleUnitFactor"] = current.saleUnitFactor.map(JSONValue.number)
            members["warningThresholdPercent"] = .integer(Int64(current.warningThresholdPercent))
        }
        return .object(members)
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        return try await console.submit {
            let entitlement = try await entitlements.create(
                try CreateEntitlement.Command(body: Self.body(form, current: nil)), caller: console.caller)
            return console.redirect(to: "/console/entitlements/\(entitlement.slug)", notice: "Entitlement \(entitlement.name) created.")
        } refused: { error in
            try await editor(console, entitlement: nil, typed: form, failure: FormFailure(error, fields: Self.fields))
        }
    }

    func update(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let entitlement = try await entitlements.get(slug: slug, caller: console.caller)
        return try await console.submit {
            try await entitlements.update(
                slug: slug, try UpdateEntitlement.Command(body: Self.body(form, current: entitlement)), caller: console.caller)
            return console.redirect(to: "/console/entitlements/\(slug)", notice: "Entitlement \(form["name"] ?? slug) saved.")
        } refused: { error in
            try await editor(console, entitlement: entitlement, typed: form, failure: FormFailure(error, fields: Self.fields))
        }
    }

    /// The confirmation before a delete, naming the entitlement and listing the licenses granting it, which
    /// keep it from being deleted.
    func deletion(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let entitlement = try await entitlements.get(slug: slug, caller: console.caller)
        let grants = try await EntitlementGrants(slug: slug, console: console, database: database)
        var data: [String: Any] = [
            "kind": "entitlement", "name": entitlement.name, "action": "/console/entitlements/\(slug)/delete",
            "cancel": "/console/entitlements/\(slug)",
            "consequence": "The entitlement is deleted and removed from its groups; its usage history goes with it.",
            "grants": grants.data,
        ]
        if !grants.grants.isEmpty {
            let count = grants.grants.count
            data["blocked"] =
                "\(entitlement.name) is granted by \(count) license\(count == 1 ? "" : "s"). Remove it from \(count == 1 ? "that license" : "those licenses") first."
        }
        return Page(template: "entitlement-delete", title: "Delete \(entitlement.name)", section: .entitlements, data: data)
    }

    func delete(_ console: ConsoleRequest, slug: String) async throws -> Response {
        do {
            try await entitlements.delete(slug: slug, caller: console.caller)
        } catch let error as APIError where error.kind == .conflict {
            // Granted meanwhile: the confirmation shows by which licenses.
            return console.render(try await deletion(console, slug: slug))
        }
        return console.redirect(to: "/console/entitlements", notice: "Entitlement \(slug) deleted.")
    }
}
