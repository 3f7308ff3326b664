import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// An entitlement the instance's license grants, with the instance's stored usage of it, as the usage
/// reads resolve it.
struct GrantUsageRow {
    let now: Date
    let instanceID: UUID
    let entitlementID: UUID
    let entitlementSlug: String
    let entitlementType: String
    let resetPeriod: String?
    let resetAnchor: String?
    let licenseID: UUID
    let licenseSlug: String
    let licenseStart: Date
    let grant: String
    let storedUsage: String?
    let storedPeriodStart: Date?

    /// The usage rows of a query's `WHERE` clause. The clock is the database's, to the millisecond, as the
    /// report path dates reports, so reads and reports on different replicas agree on windows.
    static let selection = """
        SELECT date_trunc('milliseconds', clock_timestamp()), i.id, e.id, e.slug, e.type::text, e.reset_period::text,
               e.reset_anchor::text, i.license_id, l.slug, i.start_license_date, le.value::text, u.value::text, u.period_start
        FROM instance i
        JOIN license l ON l.id = i.license_id
        JOIN license_entitlement le ON le.license_id = i.license_id
        JOIN entitlement e ON e.id = le.entitlement_id
        LEFT JOIN entitlement_usage u ON u.instance_id = i.id AND u.entitlement_id = e.id
        """

    /// Decodes the rows of a query that starts with `selection`.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [GrantUsageRow] {
        try await executor.all(
            query,
            as: (Date, UUID, UUID, String, String, String?, String?, UUID, String, Date, String, String?, Date?).self,
            logger: logger
        ).map { row in
            GrantUsageRow(
                now: row.0, instanceID: row.1, entitlementID: row.2, entitlementSlug: row.3, entitlementType: row.4,
                resetPeriod: row.5, resetAnchor: row.6, licenseID: row.7, licenseSlug: row.8, licenseStart: row.9,
                grant: row.10, storedUsage: row.11, storedPeriodStart: row.12
            )
        }
    }

    /// What the usage reads answer for this grant; `operation` names the read in error codes.
    ///
    /// A number's window is resolved lazily and nothing is written: a total stored in an earlier window
    /// reads as zero until the next report rolls it over. BOOLEAN and CONFIG entitlements read as their grant.
    func resource(operation: String) throws -> EntitlementUsageResource {
        let limit = (try? JSONValue.parse(Array(grant.utf8))).flatMap { EntitlementValue(json: $0) }
        var value: EntitlementValue
        var window: UsageWindow?
        if entitlementType == "NUMBER" || entitlementType == "NUMBER_AI_CREDIT" {
            var usage = NumberUsage.zero
            if let storedUsage {
                guard let stored = NumberUsage(stored: storedUsage) else {
                    throw APIError.validation("\(operation).InvalidUsageValue", "the stored usage is not a number usage value")
                }
                usage = stored
            }
            if let schedule = UsageSchedule(period: resetPeriod, anchor: resetAnchor, licenseStart: licenseStart) {
                let current = schedule.currentWindow(at: now, storedStart: storedPeriodStart)
                if storedPeriodStart?.milliseconds != current.start.milliseconds { usage = .zero }
                window = current
            }
            value = usage.entitlementValue
        } else {
            guard let limit else {
                throw APIError.validation("\(operation).MissingLicenseValue", "license entitlement carries no value")
            }
            value = limit
        }
        return EntitlementUsageResource(
            entitlementId: entitlementID.lowercased,
            entitlementSlug: entitlementSlug,
            licenseId: licenseID.lowercased,
            licenseSlug: licenseSlug,
            value: value,
            limit: limit,
            currentPeriodStart: window?.start,
            currentPeriodEnd: window?.end
        )
    }
}
