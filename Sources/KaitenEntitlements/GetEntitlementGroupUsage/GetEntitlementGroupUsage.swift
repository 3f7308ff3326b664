import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /entitlement-groups/{entitlementGroupSlug}/usage?instance=<instanceSlug>`: one row per entitlement
/// of the group, with what the instance's license grants of it and what the instance used.
///
/// A periodic entitlement is read in the current window: a counter stored for an earlier window reads as
/// zero, without writing anything (the next report rolls it over). Unlike Go, which answers an empty list,
/// an unknown group or instance is a 404, so a typo is not mistaken for an empty group.
enum GetEntitlementGroupUsage {
    static let operation = APIOperation("get-entitlement-group-usage", .get, "/entitlement-groups/{entitlementGroupSlug}/usage")
    static let requiredScope = Scope.read(.entitlements)

    static func register(on router: OperationRouter, module: EntitlementsModule) {
        router.on(operation) { request, context in
            guard let instance = request.uri.queryParameters["instance"].map(String.init), !instance.isEmpty else {
                throw APIError.schemaViolations([ErrorDetail(message: "required query parameter instance is missing", location: "query.instance")])
            }
            let usage = try await module.groupUsage(
                groupSlug: try context.parameters.path("entitlementGroupSlug"),
                instanceSlug: instance,
                caller: try context.organizationCaller()
            )
            return try JSONResponse.make(usage)
        }
    }

    /// The window a counter is read in at `now`: the one containing `now`, except when the counter was
    /// opened in a later window of the same configuration (a report whose clock ran ahead, or a database
    /// clock that stepped back), which then stays current rather than reading as stale.
    static func currentWindow(now: Date, storedStart: Date?, period: ResetPeriod, anchor: ResetAnchor, licenseStart: Date) -> UsageWindow {
        let current = UsageWindow.containing(now, period: period, anchor: anchor, licenseStart: licenseStart)
        guard let storedStart, storedStart > current.start else { return current }
        let stored = UsageWindow.containing(storedStart, period: period, anchor: anchor, licenseStart: licenseStart)
        return sameMillisecond(stored.start, storedStart) ? stored : current
    }

    /// Stored instants have millisecond precision, while window arithmetic on `Date` can be off in the last
    /// bits of the fraction.
    static func sameMillisecond(_ first: Date, _ second: Date) -> Bool {
        (first.timeIntervalSince1970 * 1000).rounded() == (second.timeIntervalSince1970 * 1000).rounded()
    }
}

extension EntitlementsModule {
    func groupUsage(groupSlug: String, instanceSlug: String, caller: OrganizationCaller) async throws -> [EntitlementGroupUsage] {
        try caller.require(GetEntitlementGroupUsage.requiredScope)
        let scope = try await database.first(
            """
            SELECT (SELECT id FROM entitlement_group WHERE organization_id = \(caller.organizationID) AND slug = \(groupSlug)),
                   i.id, i.license_id, i.start_license_date, date_trunc('milliseconds', clock_timestamp())
            FROM (SELECT 1) AS one
            LEFT JOIN instance i ON i.organization_id = \(caller.organizationID) AND i.slug = \(instanceSlug)
            """,
            as: (UUID?, UUID?, UUID?, Date?, Date).self,
            logger: database.logger
        )!
        guard let groupID = scope.0 else {
            throw APIError.notFound("GetEntitlementGroupUsage.NotFound", "Entitlement group with slug \"\(groupSlug)\" not found")
        }
        guard let instanceID = scope.1, let licenseID = scope.2, let licenseStart = scope.3 else {
            throw APIError.notFound("GetEntitlementGroupUsage.InstanceNotFound", "Instance with slug \"\(instanceSlug)\" not found")
        }
        let now = scope.4
        let rows = try await database.all(
            """
            SELECT e.id, e.slug, e.name, e.type::text, e.reset_period::text, e.reset_anchor::text,
                   u.value::text, u.period_start, grant_.value::text
            FROM entitlement_group_membership m
            JOIN entitlement e ON e.id = m.entitlement_id
            LEFT JOIN entitlement_usage u ON u.entitlement_id = e.id AND u.instance_id = \(instanceID)
            LEFT JOIN license_entitlement grant_ ON grant_.entitlement_id = e.id AND grant_.license_id = \(licenseID)
            WHERE m.entitlement_group_id = \(groupID)
            ORDER BY e.display_order, e.slug
            """,
            as: (UUID, String, String, String, String?, String?, String?, Date?, String?).self,
            logger: database.logger
        )
        return try rows.map { row in
            var usage = try row.6.flatMap { EntitlementValue(json: try JSONValue.parse(Array($0.utf8)), allowsEventCount: true) }
            let license = try row.8.flatMap { EntitlementValue(json: try JSONValue.parse(Array($0.utf8))) }
            var window: UsageWindow?
            if EntitlementType(rawValue: row.3)?.isNumberFamily == true,
                let period = row.4.flatMap(ResetPeriod.init(rawValue:)),
                let anchor = row.5.flatMap(ResetAnchor.init(rawValue:))
            {
                let current = GetEntitlementGroupUsage.currentWindow(
                    now: now, storedStart: row.7, period: period, anchor: anchor, licenseStart: licenseStart)
                // No counter yet, a lifetime counter, or one of an earlier window: nothing used in this one.
                if !(row.7.map { GetEntitlementGroupUsage.sameMillisecond($0, current.start) } ?? false) {
                    usage = .number(0, eventCount: 0)
                }
                window = current
            }
            return EntitlementGroupUsage(
                entitlementId: row.0.lowercased,
                entitlementSlug: row.1,
                entitlementName: row.2,
                entitlementType: row.3,
                usageValue: usage,
                licenseValue: license,
                currentPeriodStart: window?.start,
                currentPeriodEnd: window?.end
            )
        }
    }
}
