import Foundation

/// A customer's or an instance's link to its record in a third-party system, one per adapter
/// (`kaiten.integration.crm.attio`). The wire names are snake_case, as in Kaiten.
package struct IntegrationLink: Encodable, Sendable, Equatable {
    package let externalID: String
    package let metadata: [String: JSONValue]
    package let webURL: String?
    package let syncedAt: Date
    package let lastError: String?

    package init(externalID: String, metadata: [String: JSONValue], webURL: String?, syncedAt: Date, lastError: String?) {
        self.externalID = externalID
        self.metadata = metadata
        self.webURL = webURL
        self.syncedAt = syncedAt
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case externalID = "external_id"
        case metadata
        case webURL = "web_url"
        case syncedAt = "synced_at"
        case lastError = "last_error"
    }
}

/// What a client writes of a link: everything but `synced_at`, which the server stamps on every write.
///
/// Normalized as Kaiten does: the external id and the error are trimmed, a blank error or web URL means none,
/// and a web URL must be an absolute http(s) URL so that a client can render it as a link.
package struct IntegrationLinkInput: Sendable, Equatable {
    package let externalID: String
    package let metadata: [String: JSONValue]
    package let webURL: String?
    package let lastError: String?

    package init(externalID: String, metadata: [String: JSONValue], webURL: String?, lastError: String?) {
        self.externalID = externalID
        self.metadata = metadata
        self.webURL = webURL
        self.lastError = lastError
    }

    /// Reads the closed `CustomerIntegration`/`InstanceIntegration` body. `synced_at` is read-only, and sending
    /// back a link as it was read is accepted: the value is ignored.
    package init?(reading reader: inout JSONObjectReader) {
        let externalID = reader.string("external_id", required: true, maxLength: 1_000)
        let metadata = reader.object("metadata") ?? [:]
        let webURL = reader.string("web_url", maxLength: 2_048)
        let lastError = reader.string("last_error", maxLength: 10_000)
        _ = reader.timestamp("synced_at")
        guard let externalID else { return nil }
        self.init(externalID: externalID, metadata: metadata, webURL: webURL, lastError: lastError)
    }

    /// The input as it is stored, or the operation's 400 (`<invalidCodePrefix>ExternalID`,
    /// `<invalidCodePrefix>WebURL`) for a blank external id or a web URL that is not an absolute http(s) URL.
    package func normalized(adapter: String, invalidCodePrefix: String) throws -> IntegrationLinkInput {
        let trimmedID = externalID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedID.isEmpty else {
            throw APIError.validation("\(invalidCodePrefix)ExternalID", "integration \"\(adapter)\" needs a non-blank external_id")
        }
        let url: String?
        do {
            url = try Self.normalizedWebURL(webURL)
        } catch {
            throw APIError.validation("\(invalidCodePrefix)WebURL", "integration \"\(adapter)\" web_url must be an absolute http(s) URL")
        }
        return IntegrationLinkInput(externalID: trimmedID, metadata: metadata, webURL: url, lastError: Self.nonBlank(lastError))
    }

    /// nil for nil or blank text, else the text trimmed.
    package static func nonBlank(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// A web URL as stored: nil for none, the trimmed text for an absolute http(s) URL with a host.
    package static func normalizedWebURL(_ text: String?) throws -> String? {
        guard let trimmed = nonBlank(text) else { return nil }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { throw InvalidWebURL() }
        return trimmed
    }

    package struct InvalidWebURL: Error {}
}

/// Adapter names as the integration operations take them.
package enum IntegrationAdapter {
    /// The prefix every connector's name starts with; lookups by external id name adapters without it.
    package static let connectorPrefix = "kaiten.integration."

    /// The adapter named in a path, trimmed, or the operation's 400 when it is blank. Any other name is
    /// accepted, as in Kaiten: a link records which system a record lives in, whether or not a connector for
    /// that system is registered.
    package static func name(_ raw: String, invalidCode: String) throws -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw APIError.validation(invalidCode, "the integration name cannot be blank") }
        return trimmed
    }

    /// The adapter of a lookup by external id (`crm.attio`, or the full `kaiten.integration.crm.attio`) as
    /// links store it.
    package static func qualifiedName(_ raw: String) throws -> String {
        let name = try name(raw, invalidCode: "Integration.InvalidAdapter")
        return name.hasPrefix(connectorPrefix) ? name : connectorPrefix + name
    }
}

extension IntegrationLinkInput {
    /// The links a create carries, normalized, or the operation's 400: a blank adapter name
    /// (`<operation>.InvalidIntegrationAdapter`), two names that are the same once trimmed
    /// (`<operation>.DuplicateIntegrationAdapter`), or a link ``normalized(adapter:invalidCodePrefix:)`` refuses.
    package static func normalized(_ links: [String: IntegrationLinkInput], operation: String) throws -> [String: IntegrationLinkInput] {
        var normalized: [String: IntegrationLinkInput] = [:]
        for (rawAdapter, input) in links.sorted(by: { $0.key < $1.key }) {
            let adapter = try IntegrationAdapter.name(rawAdapter, invalidCode: "\(operation).InvalidIntegrationAdapter")
            guard normalized[adapter] == nil else {
                throw APIError.validation("\(operation).DuplicateIntegrationAdapter", "integration \"\(adapter)\" is given twice")
            }
            normalized[adapter] = try input.normalized(adapter: adapter, invalidCodePrefix: "\(operation).InvalidIntegration")
        }
        return normalized
    }

    /// Whether a replacement's links are the stored ones sent back (`synced_at` aside), which a replacement that
    /// may not change them accepts.
    package static func echo(_ inputs: [String: IntegrationLinkInput], of links: [String: IntegrationLink]) -> Bool {
        inputs.count == links.count
            && inputs.allSatisfy { adapter, input in
                guard let link = links[adapter] else { return false }
                return input.externalID == link.externalID && input.metadata == link.metadata && input.webURL == link.webURL
                    && input.lastError == link.lastError
            }
    }
}

extension JSONObjectReader {
    /// An `integrations` member: links by adapter name, each a closed integration body read at its own location.
    package mutating func integrationLinks(_ key: String = "integrations") -> [String: IntegrationLinkInput]? {
        object(key) { links in
            var inputs: [String: IntegrationLinkInput] = [:]
            for adapter in links.memberNames {
                if let input = links.object(adapter, { IntegrationLinkInput(reading: &$0) }) { inputs[adapter] = input }
            }
            return inputs
        }
    }
}
