import Foundation
import HTTPTypes
import KaitenCore
import KaitenIdentity
import PostgresNIO
import Testing

@Suite struct IntegrationsTests {
    static let attio = "kaiten.integration.crm.attio"

    @Test func aCustomerIsCreatedWithItsIntegrationsAndItsLinksAreManagedOneByOne() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let token = fixture.token
            let created = try await kaiten.core.json(
                .post, "/api/customers", token: token,
                body: [
                    "name": "Globex", "slug": "globex",
                    "integrations": [Self.attio: ["external_id": " rec_1 ", "metadata": ["tier": "gold"]]],
                ]
            )
            #expect(created.status == .created)
            let link = try #require(created.json?["integrations"]?[Self.attio])
            #expect(link["external_id"] == "rec_1", "the external id is trimmed")
            #expect(link["metadata"] == ["tier": "gold"])
            #expect(link["synced_at"]?.stringValue.flatMap(Timestamp.parse) != nil)
            #expect(link["web_url"] == nil && link["last_error"] == nil)
            #expect(try await kaiten.core.json(.get, "/api/customers/globex", token: token).json?["integrations"] == created.json?["integrations"])
            #expect(try await fixture.events("CUSTOMER_CREATED").last?.data["integrations"]?[Self.attio]?["external_id"] == "rec_1")
            let plain = try await kaiten.core.json(.get, "/api/customers/acme", token: token)
            #expect(plain.json?["integrations"] == nil, "a customer without links has no integrations member")

            let path = "/api/customers/acme/integrations/kaiten.integration.crm.hubspot"
            let linked = try await kaiten.core.json(
                .post, path, token: token, body: ["external_id": "hs-9", "web_url": "https://app.hubspot.com/contacts/9", "last_error": "  "])
            #expect(linked.status == .created)
            #expect(linked.json?["web_url"] == "https://app.hubspot.com/contacts/9" && linked.json?["last_error"] == nil)
            let again = try await kaiten.core.json(.post, path, token: token, body: ["external_id": "hs-10"])
            #expect(again.status == .conflict && again.json?["code"] == "CreateCustomerIntegration.AlreadyExists")
            #expect(try await kaiten.core.json(.get, path, token: token).json == linked.json)

            let replaced = try await kaiten.core.json(.put, path, token: token, body: ["external_id": "hs-10", "last_error": "rate limited"])
            #expect(replaced.status == .ok)
            #expect(replaced.json?["external_id"] == "hs-10" && replaced.json?["web_url"] == nil && replaced.json?["last_error"] == "rate limited")

            let taken = try await kaiten.core.json(
                .post, "/api/customers/globex/integrations/kaiten.integration.crm.hubspot", token: token, body: ["external_id": "hs-10"])
            #expect(taken.status == .conflict && taken.json?["code"] == "CreateCustomerIntegration.ExternalIDConflict")
            let otherAdapter = try await kaiten.core.json(
                .post, "/api/customers/globex/integrations/kaiten.integration.crm.pipedrive", token: token, body: ["external_id": "hs-10"])
            #expect(otherAdapter.status == .created, "an external id is unique per adapter only")

            let badURL = try await kaiten.core.json(.put, path, token: token, body: ["external_id": "hs-10", "web_url": "ftp://files"])
            #expect(badURL.status == .badRequest && badURL.json?["code"] == "UpdateCustomerIntegration.InvalidWebURL")
            let blankID = try await kaiten.core.json(.put, path, token: token, body: ["external_id": "   "])
            #expect(blankID.status == .badRequest && blankID.json?["code"] == "UpdateCustomerIntegration.InvalidExternalID")
            let unknownMember = try await kaiten.core.json(.put, path, token: token, body: ["external_id": "x", "extra": 1])
            #expect(unknownMember.status == .unprocessableContent)
            #expect(try await kaiten.core.json(.get, path, token: token).json?["external_id"] == "hs-10", "refused writes change nothing")
            let blankName = try await kaiten.core.json(.get, "/api/customers/acme/integrations/%20", token: token)
            #expect(blankName.status == .badRequest && blankName.json?["code"] == "GetCustomerIntegration.InvalidIntegrationName")
            let missingCustomer = try await kaiten.core.json(.get, "/api/customers/nobody/integrations/\(Self.attio)", token: token)
            #expect(missingCustomer.status == .notFound && missingCustomer.json?["code"] == "GetCustomerIntegration.CustomerNotFound")

            #expect(try await kaiten.core.json(.delete, path, token: token).status == .noContent)
            let gone = try await kaiten.core.json(.get, path, token: token)
            #expect(gone.status == .notFound && gone.json?["code"] == "GetCustomerIntegration.NotFound")
            let deletedTwice = try await kaiten.core.json(.delete, path, token: token)
            #expect(deletedTwice.status == .notFound && deletedTwice.json?["code"] == "DeleteCustomerIntegration.NotFound")
            #expect(try await fixture.eventCount("CUSTOMER_UPDATED") == 0, "a link is not the customer: no customer event")

            let duplicate = try await kaiten.core.json(
                .post, "/api/customers", token: token,
                body: ["name": "Initech", "integrations": [Self.attio: ["external_id": "rec_1"]]]
            )
            #expect(duplicate.status == .conflict && duplicate.json?["code"] == "CreateCustomer.ExternalIDConflict")
            #expect(try await kaiten.count("SELECT count(*)::int FROM customer WHERE name = 'Initech'") == 0)

            let stored = try await kaiten.core.json(.get, "/api/customers/globex", token: token).json?["integrations"]
            let echoed = try await kaiten.core.json(
                .put, "/api/customers/globex", token: token, body: ["name": "Globex Corp", "integrations": stored ?? .null])
            #expect(echoed.status == .noContent, "a replacement may send the stored integrations back")
            let changed = try await kaiten.core.json(
                .put, "/api/customers/globex", token: token,
                body: ["name": "Globex Corp", "integrations": [Self.attio: ["external_id": "rec_2"]]]
            )
            #expect(changed.status == .unprocessableContent && changed.json?["code"] == "UpdateCustomer.IntegrationsNotSettable")
        }
    }

    @Test func aConnectorSyncsCustomersByTheirRecordId() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let token = fixture.token
            let unknown = try await kaiten.core.json(.get, "/api/integration/crm.unknown/customer/rec_1", token: token)
            #expect(unknown.status == .notFound && unknown.json?["code"] == "Integration.CustomerNotFound")
            let nameless = try await kaiten.core.json(.patch, "/api/integration/crm.attio/customer/rec_1", token: token, body: ["domain": "acme.io"])
            #expect(nameless.status == .badRequest && nameless.json?["code"] == "UpsertIntegration.CustomerNameRequired")
            #expect(try await fixture.eventCount("CUSTOMER_CREATED") == 1, "only the fixture's customer")

            let created = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/customer/rec_1", token: token,
                body: ["name": "Hooli", "slug": "hooli", "webUrl": "https://app.attio.com/r/1", "integrationMetadata": ["stage": "lead"]]
            )
            #expect(created.status == .ok)
            #expect(
                created.json == ["name": "Hooli", "slug": "hooli", "webUrl": "https://app.attio.com/r/1", "integrationMetadata": ["stage": "lead"]])
            #expect(try await fixture.eventCount("CUSTOMER_CREATED") == 2)
            let link = try await kaiten.core.json(.get, "/api/customers/hooli/integrations/\(Self.attio)", token: token)
            #expect(link.json?["external_id"] == "rec_1", "the adapter is stored with its kaiten.integration. prefix")

            let metadataOnly = try await kaiten.core.json(
                .patch, "/api/integration/kaiten.integration.crm.attio/customer/rec_1", token: token,
                body: ["integrationMetadata": ["stage": "won"], "error": "late"])
            #expect(metadataOnly.json?["integrationMetadata"] == ["stage": "won"] && metadataOnly.json?["error"] == "late")
            #expect(metadataOnly.json?["webUrl"] == "https://app.attio.com/r/1", "what the body leaves out is kept")
            #expect(try await fixture.eventCount("CUSTOMER_UPDATED") == 0, "only the link changed")

            let renamed = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/customer/rec_1", token: token, body: ["name": "Hooli XYZ", "domain": "hooli.xyz"])
            #expect(renamed.json?["name"] == "Hooli XYZ" && renamed.json?["domain"] == "hooli.xyz" && renamed.json?["error"] == "late")
            let updated = try await fixture.events("CUSTOMER_UPDATED")
            #expect(updated.count == 1 && updated.first?.data["name"] == "Hooli XYZ")
            let fetched = try await kaiten.core.json(.get, "/api/integration/crm.attio/customer/rec_1", token: token)
            #expect(fetched.json == renamed.json)

            let slugTaken = try await kaiten.core.json(.patch, "/api/integration/crm.attio/customer/rec_1", token: token, body: ["slug": "acme"])
            #expect(slugTaken.status == .conflict && slugTaken.json?["code"] == "Integration.CustomerSlugConflict")
            let badURL = try await kaiten.core.json(.patch, "/api/integration/crm.attio/customer/rec_1", token: token, body: ["webUrl": "nope"])
            #expect(badURL.status == .badRequest && badURL.json?["code"] == "UpsertIntegration.InvalidWebURL")
            let blankAdapter = try await kaiten.core.json(.get, "/api/integration/%20/customer/rec_1", token: token)
            #expect(blankAdapter.status == .badRequest && blankAdapter.json?["code"] == "Integration.InvalidAdapter")
            let (_, other) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.get, "/api/integration/crm.attio/customer/rec_1", token: other).status == .notFound)
        }
    }

    @Test func instancesCarryTheirIntegrationsAndAConnectorSyncsThemUnderTheirCustomer() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let token = fixture.token
            let instance = try await fixture.instance(
                "prod", extra: ["integrations": [Self.attio: ["external_id": "ws_1", "web_url": "https://attio.com/w/1"]]])
            #expect(instance["integrations"]?[Self.attio]?["web_url"] == "https://attio.com/w/1")
            #expect(try await fixture.events("INSTANCE_CREATED").last?.data["integrations"]?[Self.attio]?["external_id"] == "ws_1")
            var replacement: [String: JSONValue] = [
                "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                "integrations": instance["integrations"] ?? .null,
            ]
            replacement.merge(InstancesFixture.requiredMembers()) { old, _ in old }
            #expect(try await kaiten.core.json(.put, "/api/instances/prod", token: token, body: replacement).status == .noContent)

            let path = "/api/instances/prod/integrations/\(Self.attio)"
            let duplicate = try await kaiten.core.json(.post, path, token: token, body: ["external_id": "ws_2"])
            #expect(duplicate.status == .conflict && duplicate.json?["code"] == "CreateInstanceIntegration.AlreadyExists")
            let replaced = try await kaiten.core.json(.put, path, token: token, body: ["external_id": "ws_2", "metadata": ["seats": 5]])
            #expect(replaced.status == .ok && replaced.json?["external_id"] == "ws_2" && replaced.json?["web_url"] == nil)
            #expect(try await kaiten.core.json(.get, path, token: token).json == replaced.json)
            let missing = try await kaiten.core.json(.get, "/api/instances/prod/integrations/kaiten.integration.crm.hubspot", token: token)
            #expect(missing.status == .notFound && missing.json?["code"] == "GetInstanceIntegration.NotFound")

            let orphan = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/instance/ws_9", token: token,
                body: [
                    "name": "Staging", "description": "eu", "customerExternalId": "rec_acme", "licenseId": .string(fixture.licenseID.lowercased),
                    "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
                ]
            )
            #expect(orphan.status == .notFound && orphan.json?["code"] == "Integration.CustomerNotFound", "the customer's record is not linked yet")
            let customerLink = try await kaiten.core.json(
                .post, "/api/customers/acme/integrations/\(Self.attio)", token: token, body: ["external_id": "rec_acme"])
            #expect(customerLink.status == .created)
            let incomplete = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/instance/ws_9", token: token, body: ["name": "Staging", "customerExternalId": "rec_acme"])
            #expect(incomplete.status == .badRequest && incomplete.json?["code"] == "UpsertIntegration.InstanceDescriptionRequired")

            let created = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/instance/ws_9", token: token,
                body: [
                    "name": "Staging", "slug": "staging", "description": "eu", "customerExternalId": "rec_acme",
                    "licenseId": .string(fixture.licenseID.lowercased), "startLicenseDate": "2026-01-01T00:00:00Z",
                    "endLicenseDate": "2027-01-01T00:00:00Z", "integrationMetadata": ["plan": "pro"],
                ]
            )
            #expect(created.status == .ok)
            #expect(created.json?["slug"] == "staging" && created.json?["customerExternalId"] == "rec_acme")
            #expect(
                created.json?["integrationMetadata"] == ["plan": "pro"] && created.json?["licenseId"]?.stringValue == fixture.licenseID.lowercased)
            let createdEvents = try await fixture.eventCount("INSTANCE_CREATED")

            let linkOnly = try await kaiten.core.json(.patch, "/api/integration/crm.attio/instance/ws_9", token: token, body: ["error": "boom"])
            #expect(linkOnly.json?["error"] == "boom" && linkOnly.json?["description"] == "eu")
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 1, "only the earlier replacement")

            let described = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/instance/ws_9", token: token, body: ["description": "eu-west", "error": ""])
            #expect(described.json?["description"] == "eu-west" && described.json?["error"] == nil)
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 2)
            #expect(try await fixture.eventCount("INSTANCE_CREATED") == createdEvents)
            #expect(try await kaiten.core.json(.get, "/api/integration/crm.attio/instance/ws_9", token: token).json == described.json)
            let badLicense = try await kaiten.core.json(
                .patch, "/api/integration/crm.attio/instance/ws_9", token: token, body: ["licenseId": .string(UUID().uuidString)])
            #expect(badLicense.status == .notFound && badLicense.json?["code"] == "UpdateInstance.LicenseNotFound")

            #expect(try await kaiten.core.json(.delete, path, token: token).status == .noContent)
            #expect(try await kaiten.core.json(.get, "/api/instances/prod", token: token).json?["integrations"] == nil)
        }
    }
}
