import Foundation
import Hummingbird
import KaitenCore
import KaitenMetadataFields
import PostgresNIO

/// The settings pages: the link cards and the metadata fields of instances and deployment zones, whose
/// writes are the MetadataFields module's use cases.
struct SettingsPages: Sendable {
    let database: Database
    let metadataFields: MetadataFieldsModule

    func register(on routes: ConsoleRoutes) {
        routes.page("settings") { console in console.render(overview()) }
        routes.page("settings/metadata") { console in console.render(try await fields(console)) }
        routes.page("settings/metadata/new") { console in
            try console.caller.require(.read(.metadataFields))
            let resourceType = Self.resourceType(console.query("resourceType"))
            return console.render(fieldEditor(console, field: nil, resourceType: resourceType, values: MetadataFieldFormValues(kind: .string)))
        }
        routes.form("settings/metadata") { console, form in try await create(console, form) }
        routes.page("settings/metadata/:field/edit") { console in
            let field = try await field(console, id: try fieldID(console))
            return console.render(fieldEditor(console, field: field, resourceType: field.resourceType, values: MetadataFieldFormValues(field)))
        }
        routes.form("settings/metadata/:field") { console, form in try await update(console, form, id: try fieldID(console)) }
        routes.form("settings/metadata/:field/archive") { console, _ in
            let field = try await metadataFields.archive(id: try fieldID(console), caller: console.caller)
            return console.redirect(to: Self.listLink(field.resourceType), notice: "Field \(field.label) archived.")
        }
        routes.form("settings/metadata/:field/unarchive") { console, _ in
            let field = try await metadataFields.unarchive(id: try fieldID(console), caller: console.caller)
            return console.redirect(to: Self.listLink(field.resourceType, archived: true), notice: "Field \(field.label) restored.")
        }
        routes.form("settings/metadata/reorder") { console, form in
            let resourceType = Self.resourceType(form["resourceType"])
            let ids = form.values("ids").map(JSONValue.string)
            try await metadataFields.reorder(try ReorderMetadataFields.Command(body: .object(["ids": .array(ids)])), caller: console.caller)
            return console.redirect(to: Self.listLink(resourceType), notice: "Order saved.")
        }
    }

    func overview() -> Page {
        let cards: [(title: String, link: String, text: String)] = [
            ("Instance metadata", Self.listLink(.instance), "Typed fields every instance can carry, such as a region or a support tier."),
            ("Deployment zone metadata", Self.listLink(.deploymentZone), "Typed fields of deployment zones, such as a cloud or a cluster."),
            ("Service accounts", "/console/service-accounts", "Machine identities and their API tokens."),
            ("Webhooks", "/console/webhooks", "Endpoints that receive the organization's events."),
            ("Audit trail", "/console/audit-trail", "Every event of the organization, with a CSV export."),
        ]
        return Page(
            template: "settings", title: "Settings", section: .settings,
            data: ["cards": cards.map { ["title": $0.title, "link": $0.link, "text": $0.text] }])
    }

    /// The resource type a URL or form names; instances when it names none.
    static func resourceType(_ text: String?) -> MetadataResourceType {
        text.flatMap(MetadataResourceType.init(rawValue:)) ?? .instance
    }

    static func listLink(_ resourceType: MetadataResourceType, archived: Bool = false) -> String {
        "/console/settings/metadata?resourceType=\(resourceType.rawValue)\(archived ? "&archived=1" : "")"
    }

    func fieldID(_ console: ConsoleRequest) throws -> UUID {
        let text = try console.parameter("field")
        guard let id = UUID(uuidString: text) else {
            throw APIError.notFound("Console.MetadataFieldNotFound", "metadata field \"\(text)\" not found")
        }
        return id
    }
}
