import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

@Suite struct LicenseGrantTests {
    @Test func aGrantCarriesAValueShapedByItsEntitlementsType() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let license = try await org.createLicense("Growth", ["slug": "growth"])
            try await org.entitlement("seats", type: "NUMBER")
            try await org.entitlement("sso", type: "BOOLEAN")
            try await org.entitlement("theme", type: "CONFIG")
            try await org.entitlement("credits", type: "NUMBER_AI_CREDIT")

            let before = try await org.eventCount()
            let assigned = try await org.call(
                .post, "/licenses/growth/entitlements", ["entitlementSlug": "seats", "value": ["type": "number", "value": 100]])
            #expect(assigned.status == .noContent && assigned.value == nil)
            let events = try await org.events(after: before)
            #expect(events.map(\.name) == ["LICENSE_ENTITLEMENT_ASSIGNED"])
            #expect(events[0].data["entitlementSlug"] == "seats" && events[0].data["limitCapExceededOveragePercent"] == 0)

            let seats = try await org.call(.get, "/licenses/growth/entitlements/seats")
            #expect(seats.status == .ok)
            #expect(seats["value"] == ["type": "number", "value": 100])
            #expect(seats["limitCapExceededOveragePercent"] == 0)
            #expect(seats["entitlementType"] == "NUMBER" && seats["entitlementName"] == "Seats")
            #expect(seats["licenseSlug"] == "growth" && seats["licenseId"] == license["id"])
            #expect(seats["createdBy"]?["id"]?.stringValue != nil)

            #expect(
                try await org.call(.post, "/licenses/growth/entitlements", ["entitlementSlug": "sso", "value": ["type": "boolean", "value": true]])
                    .status == .noContent)
            let sso = try await org.call(.get, "/licenses/growth/entitlements/sso")
            #expect(sso["value"] == ["type": "boolean", "value": true] && sso["limitCapExceededOveragePercent"] == nil)
            let theme: JSONValue = ["type": "object", "value": ["color": "teal", "sizes": [1, 2]]]
            #expect(try await org.call(.post, "/licenses/growth/entitlements", ["entitlementSlug": "theme", "value": theme]).status == .noContent)
            #expect(try await org.call(.get, "/licenses/growth/entitlements/theme")["value"] == theme)
            let unlimited = try await org.call(
                .post, "/licenses/growth/entitlements", ["entitlementSlug": "credits", "value": ["type": "number", "value": -1]])
            #expect(unlimited.status == .noContent)
            let credits = try await org.call(.get, "/licenses/growth/entitlements/credits")
            #expect(credits["limitCapExceededOveragePercent"] == -1)
            // The contract knows BOOLEAN, NUMBER and CONFIG grants: an AI-credit entitlement grants a number.
            #expect(credits["entitlementType"] == "NUMBER")

            let duplicate = try await org.call(
                .post, "/licenses/growth/entitlements", ["entitlementSlug": "sso", "value": ["type": "boolean", "value": false]])
            #expect(duplicate.status == .conflict && duplicate.code == "AssociateEntitlementToLicense.AlreadyAssociated")
        }
    }

    @Test func associateRefusesValuesAndOveragesThatDoNotFit() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth"])
            try await org.entitlement("seats", type: "NUMBER")
            try await org.entitlement("sso", type: "BOOLEAN")
            let refusals: [([String: JSONValue], HTTPResponse.Status, String)] = [
                (
                    ["entitlementSlug": "seats", "value": ["type": "boolean", "value": true]], .badRequest,
                    "AssociateEntitlementToLicense.InvalidValue"
                ),
                (
                    ["entitlementSlug": "seats", "value": ["type": "number", "value": "5"]], .badRequest, "AssociateEntitlementToLicense.InvalidValue"
                ),
                (
                    ["entitlementSlug": "seats", "value": ["type": "number", "value": 5, "event_count": 1]], .badRequest,
                    "AssociateEntitlementToLicense.InvalidValue"
                ),
                (["entitlementSlug": "sso", "value": ["value": true]], .badRequest, "AssociateEntitlementToLicense.InvalidValue"),
                (
                    ["entitlementSlug": "sso", "value": ["type": "boolean", "value": true], "limitCapExceededOveragePercent": 0], .badRequest,
                    "AssociateEntitlementToLicense.InvalidLimitCapExceededOveragePercent"
                ),
                (
                    ["entitlementSlug": "seats", "value": ["type": "number", "value": -1], "limitCapExceededOveragePercent": 10], .badRequest,
                    "AssociateEntitlementToLicense.InvalidLimitCapExceededOveragePercent"
                ),
                (
                    ["entitlementSlug": "seats", "value": ["type": "number", "value": 5], "limitCapExceededOveragePercent": -1], .badRequest,
                    "AssociateEntitlementToLicense.InvalidLimitCapExceededOveragePercent"
                ),
                (
                    ["entitlementSlug": "seats", "value": ["type": "number", "value": 5], "limitCapExceededOveragePercent": 40_000], .badRequest,
                    "AssociateEntitlementToLicense.InvalidLimitCapExceededOveragePercent"
                ),
                (
                    ["entitlementSlug": "seats", "value": ["type": "number", "value": 5], "limitCapExceededOveragePercent": 1.5],
                    .unprocessableContent, "UNPROCESSABLE"
                ),
                (["entitlementSlug": "seats", "value": 5], .unprocessableContent, "UNPROCESSABLE"),
                (["entitlementSlug": "seats"], .unprocessableContent, "UNPROCESSABLE"),
                (
                    ["entitlementSlug": "nope", "value": ["type": "boolean", "value": true]], .notFound,
                    "AssociateEntitlementToLicense.EntitlementNotFound"
                ),
            ]
            for (body, status, code) in refusals {
                let refused = try await org.call(.post, "/licenses/growth/entitlements", body)
                #expect(refused.status == status && refused.code == code, "\(body)")
            }
            let unknownLicense = try await org.call(
                .post, "/licenses/nope/entitlements", ["entitlementSlug": "sso", "value": ["type": "boolean", "value": true]])
            #expect(unknownLicense.status == .notFound && unknownLicense.code == "AssociateEntitlementToLicense.LicenseNotFound")
            #expect(try await kaiten.count("SELECT count(*)::int FROM license_entitlement") == 0)

            let soft = try await org.call(
                .post, "/licenses/growth/entitlements",
                ["entitlementSlug": "seats", "value": ["type": "number", "value": 5], "limitCapExceededOveragePercent": 32_767]
            )
            #expect(soft.status == .noContent)
        }
    }

    @Test func updateReplacesTheValueAndDeleteStopsTheGrant() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth"])
            try await org.entitlement("seats", type: "NUMBER")
            try await org.entitlement("sso", type: "BOOLEAN")
            _ = try await org.call(
                .post, "/licenses/growth/entitlements",
                ["entitlementSlug": "seats", "value": ["type": "number", "value": 10], "limitCapExceededOveragePercent": 20])

            let before = try await org.eventCount()
            let updated = try await org.call(
                .put, "/licenses/growth/entitlements/seats", ["entitlementSlug": "seats", "value": ["type": "number", "value": 50]])
            #expect(updated.status == .noContent)
            let events = try await org.events(after: before)
            #expect(events.map(\.name) == ["LICENSE_ENTITLEMENT_UPDATED"])
            let seats = try await org.call(.get, "/licenses/growth/entitlements/seats")
            #expect(seats["value"] == ["type": "number", "value": 50])
            // A replacement: the overage left out goes back to its default.
            #expect(seats["limitCapExceededOveragePercent"] == 0)

            let refusals: [(String, [String: JSONValue], HTTPResponse.Status, String)] = [
                (
                    "seats", ["entitlementSlug": "sso", "value": ["type": "number", "value": 1]], .unprocessableContent,
                    "UpdateLicenseEntitlement.EntitlementSlugMismatch"
                ),
                ("seats", ["value": ["type": "boolean", "value": true]], .badRequest, "UpdateLicenseEntitlement.InvalidValue"),
                (
                    "seats", ["value": ["type": "number", "value": -1], "limitCapExceededOveragePercent": 0], .badRequest,
                    "UpdateLicenseEntitlement.InvalidLimitCapExceededOveragePercent"
                ),
                ("sso", ["value": ["type": "boolean", "value": true]], .notFound, "UpdateLicenseEntitlement.NotFound"),
            ]
            for (slug, body, status, code) in refusals {
                let refused = try await org.call(.put, "/licenses/growth/entitlements/\(slug)", body)
                #expect(refused.status == status && refused.code == code, "\(body)")
            }

            let unassigned = try await org.recording { try await org.call(.delete, "/licenses/growth/entitlements/seats") }
            #expect(unassigned.result.status == .noContent && unassigned.names == ["LICENSE_ENTITLEMENT_UNASSIGNED"])
            #expect(try await org.call(.get, "/licenses/growth/entitlements/seats").code == "GetLicenseEntitlement.NotFound")
            #expect(try await org.call(.delete, "/licenses/growth/entitlements/seats").code == "DeleteLicenseEntitlement.LicenseEntitlementNotFound")
        }
    }

    @Test func theGrantListPagesAndNamesTheEntitlementsGroups() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth"])
            for slug in ["alpha", "beta", "gamma"] {
                try await org.entitlement(slug, type: "BOOLEAN")
                _ = try await org.call(
                    .post, "/licenses/growth/entitlements", ["entitlementSlug": .string(slug), "value": ["type": "boolean", "value": true]])
            }
            try await kaiten.database.client.query(
                """
                WITH grp AS (INSERT INTO entitlement_group (organization_id, name, slug) VALUES (\(org.id), 'Security', 'security') RETURNING id)
                INSERT INTO entitlement_group_membership (entitlement_group_id, entitlement_id, organization_id)
                SELECT grp.id, e.id, e.organization_id FROM grp, entitlement e WHERE e.slug = 'beta' AND e.organization_id = \(org.id)
                """,
                logger: kaiten.database.logger
            )
            var items: [JSONValue] = []
            var cursor: String?
            repeat {
                let page = try await org.call(.get, "/licenses/growth/entitlements?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                items += page["items"]?.arrayValue ?? []
                cursor = page["nextCursor"]?.stringValue
            } while cursor != nil
            #expect(items.compactMap { $0["entitlementSlug"]?.stringValue } == ["gamma", "beta", "alpha"])
            #expect(items[1]["entitlementGroups"]?.arrayValue?.first?["slug"] == "security")
            #expect(items[0]["entitlementGroups"] == nil)
            #expect(try await org.call(.get, "/licenses/nope/entitlements").code == "GetLicenseEntitlements.LicenseNotFound")
        }
    }
}
