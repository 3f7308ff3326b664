import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

@Suite struct ConnectorsTests {
    static let attio = "kaiten.integration.crm.attio"
    static let settingsSchema: JSONValue = [
        "type": "object",
        "required": ["workspace", "apiKey"],
        "properties": ["workspace": ["type": "string", "minLength": 1], "apiKey": ["type": "string", "writeOnly": true]],
        "additionalProperties": false,
    ]

    /// Registers a connector through the Platform API, gated by `entitlement` when given.
    static func register(_ kaiten: TestKaiten, _ name: String = attio, entitlement: String? = nil) async throws {
        var body: [String: JSONValue] = ["name": .string(name), "version": "1.0.0", "settings_schema": settingsSchema]
        if let entitlement { body["entitlement_slug"] = .string(entitlement) }
        let registered = try await kaiten.platform.json(.post, "/api/platform/connectors", token: kaiten.platformToken.plaintext, body: body)
        try #require(registered.status == .ok)
    }

    /// Grants the BOOLEAN entitlement `slug` with `value` on the fixture's published license.
    static func grant(_ slug: String, value: Bool, in fixture: InstancesFixture) async throws {
        let entitlement = UUID()
        try await fixture.execute(
            "INSERT INTO entitlement (id, organization_id, name, slug, type) VALUES (\(entitlement), \(fixture.organizationID), \(slug), \(slug), 'BOOLEAN')"
        )
        try await fixture.execute(
            """
            INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value)
            VALUES (\(fixture.organizationID), \(fixture.licenseID), \(entitlement), \(JSONValue.object(["type": "boolean", "value": .bool(value)]).jsonText)::jsonb)
            """
        )
    }

    @Test func anOrganizationTurnsARegisteredConnectorOnAndOffAndItsStateSaysSo() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let token = fixture.token
            let unknown = try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: token)
            #expect(unknown.json == ["connectorName": .string(Self.attio), "available": false, "entitled": false, "activated": false])
            let notRegistered = try await kaiten.core.json(.put, "/api/connectors/\(Self.attio)/activation", token: token)
            #expect(notRegistered.status == .notFound && notRegistered.json?["code"] == "ActivateConnector.NotRegistered")
            #expect(try await kaiten.core.json(.get, "/api/connectors", token: token).value == .array([]))

            try await Self.register(kaiten)
            let listed = try await kaiten.core.json(.get, "/api/connectors", token: token)
            #expect(listed.value?.arrayValue?.compactMap { $0["name"]?.stringValue } == [Self.attio])
            let connector = try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)", token: token)
            #expect(connector.json?["settings_schema"] == Self.settingsSchema && connector.json?["entitlement_slug"] == nil)
            let schema = try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/settings/schema", token: token)
            #expect(schema.json == ["connector_name": .string(Self.attio), "version": "1.0.0", "schema": Self.settingsSchema])

            let activated = try await kaiten.core.json(.put, "/api/connectors/\(Self.attio)/activation", token: token)
            #expect(activated.status == .ok && activated.json?["connectorName"]?.stringValue == Self.attio)
            let again = try await kaiten.core.json(.put, "/api/connectors/\(Self.attio)/activation", token: token)
            #expect(again.json?["activatedAt"] == activated.json?["activatedAt"], "activating again keeps the first activation")
            let state = try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: token)
            #expect(state.json?["available"] == true && state.json?["entitled"] == true && state.json?["activated"] == true)
            #expect(state.json?["version"] == "1.0.0" && state.json?["activatedAt"] == activated.json?["activatedAt"])
            let (_, other) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: other).json?["activated"] == false)

            #expect(try await kaiten.core.json(.delete, "/api/connectors/\(Self.attio)/activation", token: token).status == .noContent)
            #expect(try await kaiten.core.json(.delete, "/api/connectors/\(Self.attio)/activation", token: token).status == .noContent)
            let unregistered = try await kaiten.core.json(.delete, "/api/connectors/kaiten.integration.crm.gone/activation", token: token)
            #expect(unregistered.status == .noContent, "turning off is never refused for the connector's sake")
            #expect(try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: token).json?["activated"] == false)

            let badName = try await kaiten.core.json(.get, "/api/connectors/Not.A.Connector", token: token)
            #expect(badName.status == .badRequest && badName.json?["code"] == "GetConnector.InvalidConnectorName")
            let missing = try await kaiten.core.json(.get, "/api/connectors/kaiten.integration.crm.gone", token: token)
            #expect(missing.status == .notFound && missing.json?["code"] == "GetConnector.NotFound")
            let (_, reader) = try await kaiten.organization(scopes: ["read:organizations"])
            let forbidden = try await kaiten.core.json(.put, "/api/connectors/\(Self.attio)/activation", token: reader)
            #expect(forbidden.status == .forbidden && forbidden.json?["code"] == "Auth.MissingScope")
        }
    }

    @Test func aGatedConnectorIsActivatedOnlyWhenALicenseGrantsItsEntitlement() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await Self.register(kaiten, entitlement: "connector-attio")
            let refused = try await kaiten.core.json(.put, "/api/connectors/\(Self.attio)/activation", token: fixture.token)
            #expect(refused.status == .forbidden && refused.json?["code"] == "ActivateConnector.NotEntitled")
            let configured = try await kaiten.core.json(
                .put, "/api/connectors/\(Self.attio)/settings", token: fixture.token, body: ["settings": ["workspace": "acme", "apiKey": "k"]])
            #expect(configured.status == .forbidden && configured.json?["code"] == "UpdateConnectorSettings.NotEntitled")
            #expect(try await kaiten.count("SELECT count(*)::int FROM connector_settings") == 0, "nothing is stored for an unlicensed connector")

            try await Self.grant("connector-attio", value: false, in: fixture)
            let state = try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: fixture.token)
            #expect(state.json?["available"] == true && state.json?["entitled"] == false, "a grant of false grants nothing")

            try await fixture.execute("UPDATE license_entitlement SET value = '{\"type\": \"boolean\", \"value\": true}'")
            #expect(try await kaiten.core.json(.put, "/api/connectors/\(Self.attio)/activation", token: fixture.token).status == .ok)
            let entitled = try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: fixture.token)
            #expect(entitled.json?["entitled"] == true && entitled.json?["activated"] == true)
        }
    }

    @Test func settingsKeepTheirSecretsHiddenAndCheckedAgainstTheSchema() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let token = fixture.token
            let path = "/api/connectors/\(Self.attio)/settings"
            try await Self.register(kaiten)
            let none = try await kaiten.core.json(.get, path, token: token)
            #expect(none.status == .notFound && none.json?["code"] == "GetConnectorSettings.NotFound")

            let saved = try await kaiten.core.json(.put, path, token: token, body: ["settings": ["workspace": "acme", "apiKey": "sk-secret"]])
            #expect(saved.status == .ok)
            #expect(saved.json == ["connector_name": .string(Self.attio), "settings": ["workspace": "acme", "apiKey": "***"]])
            #expect(try await kaiten.core.json(.get, path, token: token).json == saved.json)
            #expect(
                try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: token).json?["activated"] == true,
                "configuring a connector turns it on")

            let echoed = try await kaiten.core.json(.put, path, token: token, body: ["settings": ["workspace": "globex", "apiKey": "***"]])
            #expect(echoed.json?["settings"] == ["workspace": "globex", "apiKey": "***"])
            let omitted = try await kaiten.core.json(.put, path, token: token, body: ["settings": ["workspace": "initech"]])
            #expect(omitted.status == .ok, "a secret left out keeps the stored one, which the schema requires")
            let stored = try await kaiten.database.first(
                "SELECT settings->>'apiKey' FROM connector_settings", as: String.self, logger: kaiten.database.logger)
            #expect(stored == "sk-secret")

            let invalid = try await kaiten.core.json(.put, path, token: token, body: ["settings": ["workspace": "", "extra": 1]])
            #expect(invalid.status == .badRequest && invalid.json?["code"] == "UpdateConnectorSettings.InvalidPayloadSchema")
            #expect(invalid.json?["errors"]?.arrayValue?.isEmpty == false)
            let empty = try await kaiten.core.json(.put, path, token: token, body: ["settings": [:]])
            #expect(empty.status == .badRequest && empty.json?["code"] == "UpdateConnectorSettings.InvalidPayload")
            #expect(
                try await kaiten.core.json(.get, path, token: token).json?["settings"]?["workspace"] == "initech", "refused writes change nothing")
            let unregistered = try await kaiten.core.json(
                .put, "/api/connectors/kaiten.integration.crm.gone/settings", token: token, body: ["settings": ["a": 1]])
            #expect(unregistered.status == .notFound && unregistered.json?["code"] == "UpdateConnectorSettings.NotRegistered")

            #expect(try await kaiten.core.json(.delete, path, token: token).status == .noContent)
            #expect(try await kaiten.core.json(.get, path, token: token).status == .notFound)
            #expect(try await kaiten.core.json(.get, "/api/connectors/\(Self.attio)/state", token: token).json?["activated"] == false)
            #expect(try await kaiten.core.json(.delete, path, token: token).status == .noContent)
        }
    }
}
