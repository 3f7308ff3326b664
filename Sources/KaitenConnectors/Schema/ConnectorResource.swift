import Foundation
import KaitenCore

/// A connector as registered: its manifest, and the BOOLEAN entitlement that gates it, if any.
struct ConnectorResource: Encodable, Sendable {
    let name: String
    let version: String
    let settingsSchema: [String: JSONValue]
    let entitlementSlug: String?
    let createdAt: Date
    let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case name, version
        case settingsSchema = "settings_schema"
        case entitlementSlug = "entitlement_slug"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The top-level settings flagged `writeOnly: true` in the settings schema: secrets, never read back.
    var secretSettings: Set<String> {
        guard case .object(let properties)? = settingsSchema["properties"] else { return [] }
        return Set(properties.compactMap { name, property in property["writeOnly"] == .bool(true) ? name : nil })
    }
}

/// What an organization's settings of a connector read as, its secrets redacted.
struct ConnectorSettingsResource: Encodable, Sendable {
    /// What a secret reads as when it is set; sending it back keeps the stored secret.
    static let redactedSecret = "***"

    let connectorName: String
    let settings: [String: JSONValue]

    enum CodingKeys: String, CodingKey {
        case connectorName = "connector_name"
        case settings
    }

    /// The settings with every set secret of `connector` replaced by `***`; an empty or absent secret stays as
    /// it is, so a client can tell configured from not.
    init(_ stored: [String: JSONValue], of connector: ConnectorResource) {
        connectorName = connector.name
        var settings = stored
        for name in connector.secretSettings {
            if let value = settings[name], value != .null, value != .string("") { settings[name] = .string(Self.redactedSecret) }
        }
        self.settings = settings
    }
}
