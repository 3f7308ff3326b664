import Foundation
import KaitenCore

/// The events worth telling a person about, out of everything the audit trail records, and how each reads.
///
/// One list serves the feed's filter, the preference matrix and the rendering of a row, so they cannot
/// disagree. Events that fire per request or per report (evaluations, value reads, accepted usage reports) and
/// the organization's own configuration changes (metadata fields, the entitlement catalogue) are left out:
/// they would bury everything else. "Created", "deleted" and failures are on by default; "updated" and
/// routine events are off until a user turns them on.
enum NotificationCatalogue {
    /// The ways a person is reached. Only the in-app feed is served.
    static let channels = ["in_app"]

    /// What a notification is about: the kind of page it opens, and what the feed's `objectType` filters on.
    enum ObjectType: String, CaseIterable {
        case instance, customer, release, license, token
        case deploymentZone = "deployment_zone"
        case component
    }

    struct Entry {
        let event: EventType
        let group: String
        let objectType: ObjectType
        let label: String
        let onByDefault: Bool
    }

    static let entries: [Entry] = [
        entry("INSTANCE_CREATED", "instances", .instance, "Instance created", on: true),
        entry("INSTANCE_DEPLOYED", "deployments", .instance, "Instance deployed", on: true),
        entry("INSTANCE_DELETED", "instances", .instance, "Instance deleted", on: true),
        entry("INSTANCE_MIGRATED", "instances", .instance, "Instance migrated", on: true),
        entry("INSTANCE_LIFECYCLE_STAGE_CHANGED", "instances", .instance, "Instance lifecycle stage changed", on: true),
        entry("INSTANCE_STATUS_CHANGED", "instances", .instance, "Instance status changed", on: false),
        entry("INSTANCE_UPDATED", "instances", .instance, "Instance updated", on: false),
        entry("CUSTOMER_CREATED", "customers", .customer, "Customer created", on: true),
        entry("CUSTOMER_UPDATED", "customers", .customer, "Customer updated", on: false),
        entry("CUSTOMER_DELETED", "customers", .customer, "Customer deleted", on: true),
        entry("CUSTOMER_CREATION_REJECTED", "customers", .customer, "Customer creation rejected", on: true),
        entry("RELEASE_CREATED", "deployments", .release, "Release published", on: true),
        entry("RELEASE_DEPLOYED", "deployments", .deploymentZone, "Release deployed to a zone", on: true),
        entry("RELEASE_DELETED", "deployments", .release, "Release deleted", on: false),
        entry("DEPLOYMENT_ZONE_CREATED", "deployments", .deploymentZone, "Deployment zone created", on: false),
        entry("DEPLOYMENT_ZONE_DELETED", "deployments", .deploymentZone, "Deployment zone deleted", on: false),
        entry("COMPONENT_CREATED", "deployments", .component, "Component added", on: false),
        entry("COMPONENT_UPDATED", "deployments", .component, "Component updated", on: false),
        entry("INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED", "usage", .instance, "Entitlement near limit", on: true),
        entry("INSTANCE_ENTITLEMENT_USAGE_REACHED", "usage", .instance, "Entitlement fully used", on: true),
        entry("INSTANCE_ENTITLEMENT_CAP_EXCEEDED", "usage", .instance, "Entitlement limit reached", on: true),
        entry("ENTITLEMENT_USAGE_REPORT_REJECTED", "usage", .instance, "Usage report rejected", on: true),
        entry("INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER", "usage", .instance, "Usage period rolled over", on: false),
        entry("LICENSE_CREATED", "licensing", .license, "License created", on: true),
        entry("LICENSE_UPDATED", "licensing", .license, "License updated", on: false),
        entry("LICENSE_DELETED", "licensing", .license, "License deleted", on: true),
        entry("LICENSE_ENTITLEMENT_ASSIGNED", "licensing", .license, "Entitlement assigned to a license", on: false),
        entry("LICENSE_ENTITLEMENT_UNASSIGNED", "licensing", .license, "Entitlement unassigned from a license", on: false),
        entry("SYSTEM_ORGANIZATION_TOKEN_ISSUED", "security", .token, "Organization token issued", on: true),
    ]

    private static let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.event.name, $0) })

    static func entry(named name: String) -> Entry? { byName[name] }

    /// A catalogued event; a name the event catalogue does not hold is a programming error caught by any test.
    private static func entry(_ name: String, _ group: String, _ objectType: ObjectType, _ label: String, on: Bool) -> Entry {
        let event = EventCatalogue.all.first { $0.name == name }!
        return Entry(event: event, group: group, objectType: objectType, label: label, onByDefault: on)
    }
}

extension NotificationCatalogue.Entry {
    /// The headline of one occurrence: the label, and the object's name when the payload carries one (else the
    /// instance the entry is filed under, for the usage events, whose payloads name none). Rendered when read,
    /// never stored, so rewording a label reaches every past row; a payload written by another version of its
    /// producer degrades to the label alone.
    func title(payload: JSONValue, instanceName: String?) -> String {
        let names = ["name", "instanceName", "slug", "instanceSlug", "version"].compactMap { payload[$0]?.stringValue } + [instanceName ?? ""]
        guard let name = names.first(where: { !$0.isEmpty }) else { return label }
        return "\(label): \(name)"
    }

    /// The console page the notification opens: the object's own page while it exists, else the list of its
    /// kind. An instance is found by the entry's instance, as it is now (its slug may have changed since, and
    /// a deleted one has no page); other objects by the slug the payload names.
    func actionURL(payload: JSONValue, instanceSlug: String?) -> String {
        let slug = objectType == .instance ? instanceSlug : payload["slug"]?.stringValue
        let list: String
        switch objectType {
        case .instance: list = "/customers/instances"
        case .customer: list = "/customers"
        case .release: list = "/releases"
        case .deploymentZone: list = "/releases/deployment-zones"
        case .component: return "/releases/components"
        case .license: list = "/licenses"
        case .token: return "/integrations/service-accounts"
        }
        let deleted = event.name.hasSuffix("_DELETED") || event.name == "CUSTOMER_CREATION_REJECTED"
        guard let slug, !slug.isEmpty, !deleted else { return list }
        return "\(list)/\(slug)"
    }
}
