import Foundation
import Hummingbird
import KaitenCore
import KaitenInstances
import PostgresNIO

/// The instance form (create and edit), the deploy form and the delete confirmation.
extension InstancesPages {
    static let fields: Set<String> = [
        "name", "slug", "description", "customerId", "lifecycleStage", "licenseId", "startLicenseDate", "endLicenseDate",
        "deploymentZoneId", "metadata", "extraMetadata",
    ]
    /// The stages the lifecycle input suggests; any other text is allowed.
    static let lifecycleStages = ["Trial", "Active", "At risk", "Churned"]

    struct Choice {
        let id: String
        let slug: String
        let name: String
    }

    func editor(
        _ console: ConsoleRequest, instance: InstanceResource?, typed: [String: String]? = nil, failure: FormFailure? = nil,
        metadataErrors: [String: String] = [:]
    ) async throws -> Page {
        try console.caller.require(.read(.instances))
        let organization = console.caller.organizationID
        let customers = try await customerChoices(console)
        // An archived license is offered only to the instance that already holds it, which may keep it.
        let licenses = try await database.all(
            """
            SELECT id, name, version, lifecycle_state::text FROM license
            WHERE organization_id = \(organization)
              AND (lifecycle_state <> 'ARCHIVED' OR id = \(instance.flatMap { UUID(uuidString: $0.licenseId) }))
            ORDER BY name, version DESC
            """,
            as: (UUID, String, Int, String).self, logger: database.logger)
        let zones = try await zoneChoices(console)
        let fields = try await metadataFields(console)
        let today = Date()
        let preselected = console.query("customer").flatMap { slug in customers.first { $0.slug == slug }?.id }
        let declared = Set(fields.map(\.key))
        let undeclared = (instance?.metadata ?? [:]).filter { !declared.contains($0.key) }
        let values =
            typed ?? [
                "name": instance?.name ?? "", "description": instance?.description ?? "",
                "customerId": instance?.customerId ?? preselected ?? "", "lifecycleStage": instance?.lifecycleStage ?? "",
                "licenseId": instance?.licenseId ?? "", "deploymentZoneId": instance?.deploymentZoneId ?? "",
                "startLicenseDate": Format.day(instance?.startLicenseDate ?? today),
                "endLicenseDate": Format.day(instance?.endLicenseDate ?? Calendar(identifier: .gregorian).date(byAdding: .year, value: 1, to: today)),
                "extraMetadata": undeclared.isEmpty ? "" : JSONValue.object(undeclared).jsonText,
            ]
        let cancel = instance.map { "/console/instances/\($0.slug)" } ?? "/console/instances"
        var data: [String: Any] = [
            "creating": instance == nil,
            "action": instance.map { "/console/instances/\($0.slug)" } ?? "/console/instances",
            "values": values,
            "customers": customers.map { ["value": $0.id, "label": $0.name, "selected": $0.id == values["customerId"]] as [String: Any] },
            "licenses": licenses.map { license in
                let state = license.3 == "PUBLISHED" ? "" : " (\(license.3.lowercased()))"
                let name = "\(license.1) v\(license.2)\(state)"
                return ["value": license.0.lowercased, "label": name, "selected": license.0.lowercased == values["licenseId"]] as [String: Any]
            },
            "zones": zones.map { ["value": $0.id, "label": $0.name, "selected": $0.id == values["deploymentZoneId"]] as [String: Any] },
            // A zone once set can be changed, not cleared: the replacement keeps a left-out zone.
            "zoneClearable": instance?.deploymentZoneId == nil,
            "lifecycleStages": Self.lifecycleStages,
            "metadataFields": fields.map { field in
                let text = typed?[field.inputName] ?? instance?.metadata[field.key].map(field.formText) ?? ""
                return field.input(text: text, error: metadataErrors[field.key])
            },
            "cancel": cancel,
        ]
        let extraErrors = metadataErrors.filter { !declared.contains($0.key) }.map { "\($0.key): \($0.value)" }.sorted()
        if !extraErrors.isEmpty { data["extraMetadataError"] = extraErrors.joined(separator: " ") }
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "instance-form", title: instance.map { "Edit \($0.name)" } ?? "New instance", section: .instances, data: data,
            status: failure?.status ?? .ok)
    }

    /// The request body the API takes, from the form. A day the form shows unchanged keeps the stored instant,
    /// so saving does not move a license period to midnight.
    static func body(_ form: FormBody, current: InstanceResource?, fields: [InstanceMetadataField]) throws -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(form["name"] ?? ""), "description": .string(form["description"] ?? ""),
            "metadata": try metadata(form, fields: fields),
        ]
        if current == nil, let slug = form.text("slug") { members["slug"] = .string(slug) }
        for name in ["customerId", "licenseId", "deploymentZoneId"] {
            if let id = form.text(name) { members[name] = .string(id) }
        }
        for (name, stored) in [("startLicenseDate", current?.startLicenseDate), ("endLicenseDate", current?.endLicenseDate)] {
            guard let day = form.text(name) else { continue }
            if let stored, Format.day(stored) == day {
                members[name] = .string(Timestamp.format(stored))
            } else {
                // Not a day: sent as typed, for the API to refuse beside the field.
                members[name] = .string(day.count == 10 ? "\(day)T00:00:00Z" : day)
            }
        }
        return .object(members)
    }

    /// The lifecycle stage is the PATCH use case's, checked before anything is written.
    static func stage(_ form: FormBody) throws -> PatchInstance.Command? {
        guard let stage = form.text("lifecycleStage") else { return nil }
        return try PatchInstance.Command(body: .object(["lifecycleStage": .string(stage)]))
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        let fields = try await metadataFields(console)
        return try await console.submit {
            let stage = try Self.stage(form)
            let command = try CreateInstance.Command(body: try Self.body(form, current: nil, fields: fields))
            let instance = try await instances.create(command, caller: console.caller)
            if let stage { try await instances.patch(slug: instance.slug, stage, caller: console.caller) }
            return console.redirect(to: "/console/instances/\(instance.slug)", notice: "Instance \(instance.name) created.")
        } refused: { error in
            try await editor(
                console, instance: nil, typed: form.typed, failure: FormFailure(error, fields: Self.fields),
                metadataErrors: Self.metadataErrors(error))
        }
    }

    func update(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let instance = try await instances.get(slug: slug, caller: console.caller)
        let fields = try await metadataFields(console)
        return try await console.submit {
            let stage = try Self.stage(form)
            let command = try UpdateInstance.Command(body: try Self.body(form, current: instance, fields: fields))
            try await instances.update(slug: slug, command, caller: console.caller)
            if let stage { try await instances.patch(slug: slug, stage, caller: console.caller) }
            return console.redirect(to: "/console/instances/\(slug)", notice: "Instance \(form["name"] ?? slug) saved.")
        } refused: { error in
            try await editor(
                console, instance: instance, typed: form.typed, failure: FormFailure(error, fields: Self.fields),
                metadataErrors: Self.metadataErrors(error))
        }
    }

    /// The deploy (or migrate) form: the zones to pick from, the current one selected.
    func deployment(_ console: ConsoleRequest, slug: String, failure: FormFailure? = nil) async throws -> Page {
        let instance = try await instances.get(slug: slug, caller: console.caller)
        let zones = try await zoneChoices(console)
        var data: [String: Any] = [
            "name": instance.name, "action": "/console/instances/\(slug)/deploy", "cancel": "/console/instances/\(slug)",
            "migrating": instance.deploymentZoneId != nil, "hasZones": !zones.isEmpty,
            "zones": zones.map { ["value": $0.id, "label": $0.name, "selected": $0.id == instance.deploymentZoneId] as [String: Any] },
        ]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "instance-deploy", title: instance.deploymentZoneId == nil ? "Deploy \(instance.name)" : "Migrate \(instance.name)",
            section: .instances, data: data, status: failure?.status ?? .ok)
    }

    /// A full replacement of the instance as it is, in another zone: the update use case records the
    /// deployment or the migration.
    func deploy(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let instance = try await instances.get(slug: slug, caller: console.caller)
        var members: [String: JSONValue] = [
            "name": .string(instance.name), "description": .string(instance.description), "customerId": .string(instance.customerId),
            "licenseId": .string(instance.licenseId), "startLicenseDate": .string(Timestamp.format(instance.startLicenseDate)),
            "endLicenseDate": .string(Timestamp.format(instance.endLicenseDate)), "metadata": .object(instance.metadata),
        ]
        if let zone = form.text("deploymentZoneId") { members["deploymentZoneId"] = .string(zone) }
        return try await console.submit {
            try await instances.update(slug: slug, try UpdateInstance.Command(body: .object(members)), caller: console.caller)
            let verb = instance.deploymentZoneId == nil ? "deployed" : "migrated"
            return console.redirect(to: "/console/instances/\(slug)", notice: "Instance \(instance.name) \(verb).")
        } refused: { error in
            try await deployment(console, slug: slug, failure: FormFailure(error, fields: ["deploymentZoneId"]))
        }
    }

    /// The confirmation before a delete, naming the instance and the usage history that goes with it.
    func deletion(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let instance = try await instances.get(slug: slug, caller: console.caller)
        return Page(
            template: "confirm-delete", title: "Delete \(instance.name)", section: .instances,
            data: [
                "kind": "instance", "name": instance.name, "action": "/console/instances/\(slug)/delete", "cancel": "/console/instances/\(slug)",
                "consequence": "The instance, its whole usage history and its integrations are deleted; its audit trail is kept.",
            ])
    }

    /// The organization's customers, by name, as the filters and the form offer them.
    func customerChoices(_ console: ConsoleRequest) async throws -> [Choice] {
        try await database.all(
            "SELECT id, slug, name FROM customer WHERE organization_id = \(console.caller.organizationID) ORDER BY name, slug",
            as: (UUID, String, String).self, logger: database.logger
        ).map { Choice(id: $0.0.lowercased, slug: $0.1, name: $0.2) }
    }

    /// The organization's deployment zones, named "name — type".
    func zoneChoices(_ console: ConsoleRequest) async throws -> [Choice] {
        try await database.all(
            "SELECT id, slug, name, type FROM deployment_zone WHERE organization_id = \(console.caller.organizationID) ORDER BY name, slug",
            as: (UUID, String, String, String).self, logger: database.logger
        ).map { Choice(id: $0.0.lowercased, slug: $0.1, name: "\($0.2) — \($0.3)") }
    }
}
