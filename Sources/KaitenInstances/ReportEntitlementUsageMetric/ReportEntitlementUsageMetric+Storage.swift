import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The statements of a usage report, each one round trip: the pair's lock is held from the first to the
/// commit, so every statement under it is one more wait for the next reporter of the pair. The two that
/// read are prepared once per connection: planning them again on every report would cost more than running
/// them.
enum UsageReportStorage {
    /// The instance and entitlement a report names, with the entitlement's type.
    struct Pair {
        let instanceID: UUID
        let entitlementID: UUID
        let entitlementType: String
    }

    /// Everything the report decides on, read under the pair's lock.
    struct State {
        let reportedAt: Date
        let entitlementSlug: String
        let aggregationMethod: String?
        let warningThresholdPercent: Int
        let resetPeriod: String?
        let resetAnchor: String?
        let licenseID: UUID
        let licenseSlug: String
        let licenseStart: Date
        let grant: String
        let overagePercent: Int?
        /// Nil before the pair's first report.
        let storedUsage: String?
        let storedPeriodStart: Date?
        let original: OriginalReport?
    }

    /// The report a transactionId was first accepted with.
    struct OriginalReport {
        let reportSeq: Int64
        let reportedAt: Date
        let behavior: String
        /// The reported value as NUMERIC text, exactly as stored.
        let value: String
        /// Whether the incoming value equals it, compared as NUMERIC.
        let sameValue: Bool
        let response: String
    }

    /// Resolves the slugs to a pair the instance's license grants, and takes the pair's advisory lock,
    /// which serializes its reports even before its first usage row exists.
    static func lockPair(instanceSlug: String, entitlementSlug: String, organizationID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Pair? {
        let statement = LockPairStatement(organizationID: organizationID, instanceSlug: instanceSlug, entitlementSlug: entitlementSlug)
        for try await row in try await connection.execute(statement, logger: logger) {
            return Pair(instanceID: row.0, entitlementID: row.1, entitlementType: row.2)
        }
        return nil
    }

    /// Reads the report's instant (the database clock, now that the lock is held, to the millisecond), the
    /// entitlement and grant, the usage row (locked) and, for a transactionId, the report it was accepted
    /// with within the idempotency window. Nil when the grant went away while waiting for the lock.
    static func state(
        of pair: Pair,
        organizationID: UUID,
        transactionID: String?,
        value: Double,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> State? {
        let statement = StateStatement(pair: pair, organizationID: organizationID, transactionID: transactionID, value: numeric(value))
        for try await row in try await connection.execute(statement, logger: logger) {
            var original: OriginalReport?
            if let seq = row.13, let reportedAt = row.14, let behavior = row.15, let value = row.16, let same = row.17, let response = row.18 {
                original = OriginalReport(reportSeq: seq, reportedAt: reportedAt, behavior: behavior, value: value, sameValue: same, response: response)
            }
            return State(
                reportedAt: row.0, entitlementSlug: row.1, aggregationMethod: row.2, warningThresholdPercent: row.3,
                resetPeriod: row.4, resetAnchor: row.5, licenseID: row.6, licenseSlug: row.7, licenseStart: row.8,
                grant: row.9, overagePercent: row.10, storedUsage: row.11, storedPeriodStart: row.12, original: original
            )
        }
        return nil
    }

    /// Writes the total of an accepted report, moves the pair's report_seq forward, journals the report
    /// under that number and records its events, in one statement.
    static func accept(
        _ pair: Pair,
        organizationID: UUID,
        usage: NumberUsage,
        periodStart: Date?,
        ledger: LedgerEntry,
        events: [OutboxMessage],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.execute(
            """
            WITH counter AS (
                INSERT INTO entitlement_usage (entitlement_id, instance_id, organization_id, value, period_start, report_seq)
                VALUES (\(pair.entitlementID), \(pair.instanceID), \(organizationID), \(usage.entitlementValue.json.jsonText)::jsonb,
                        \(periodStart), 1)
                ON CONFLICT (entitlement_id, instance_id) DO UPDATE
                SET value = EXCLUDED.value, period_start = EXCLUDED.period_start, report_seq = entitlement_usage.report_seq + 1
                RETURNING report_seq
            ), journal AS (
                INSERT INTO usage_ledger (organization_id, instance_id, entitlement_id, transaction_id, report_seq, reported_at, behavior,
                                          value, value_after, event_count_after, response, metadata)
                SELECT \(organizationID), \(pair.instanceID), \(pair.entitlementID), \(ledger.transactionID), counter.report_seq,
                       \(ledger.reportedAt), \(ledger.behavior), \(numeric(ledger.value))::numeric, \(numeric(usage.value))::numeric,
                       \(usage.eventCount), \(ledger.response)::jsonb, \(ledger.metadata)::jsonb
                FROM counter
            )
            \(outboxInsert: events)
            """,
            logger: logger
        )
    }

    /// Starts the pair's new window at zero without counting a report: the rollover a refused report still
    /// commits, so the same windows are not closed again by the next one.
    static func reset(_ pair: Pair, organizationID: UUID, periodStart: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute(
            """
            INSERT INTO entitlement_usage (entitlement_id, instance_id, organization_id, value, period_start)
            VALUES (\(pair.entitlementID), \(pair.instanceID), \(organizationID), \(NumberUsage.zero.entitlementValue.json.jsonText)::jsonb,
                    \(periodStart))
            ON CONFLICT (entitlement_id, instance_id) DO UPDATE SET value = EXCLUDED.value, period_start = EXCLUDED.period_start
            """,
            logger: logger
        )
    }

    /// The journal row of an accepted report, besides the counter it moved.
    struct LedgerEntry {
        let transactionID: String?
        let reportedAt: Date
        let behavior: String
        let value: Double
        /// The answer the report got, which a replay under the same transactionId answers again.
        let response: String
        let metadata: String?
    }

    /// A number as decimal text for a NUMERIC column: the shortest text that reads back as the same
    /// double, so the journal does not round what the counter holds.
    static func numeric(_ value: Double) -> String { "\(value)" }
}

/// The pair a report names, and its advisory lock.
private struct LockPairStatement: PostgresPreparedStatement {
    typealias Row = (UUID, UUID, String, String)

    static let sql = """
        SELECT i.id, e.id, e.type::text,
               pg_advisory_xact_lock(hashtextextended(i.id::text || ':' || e.id::text, 0))::text
        FROM instance i
        JOIN entitlement e ON e.organization_id = $1 AND e.slug = $3
        JOIN license_entitlement le ON le.license_id = i.license_id AND le.entitlement_id = e.id
        WHERE i.organization_id = $1 AND i.slug = $2
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text]

    let organizationID: UUID
    let instanceSlug: String
    let entitlementSlug: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(organizationID)
        bindings.append(instanceSlug)
        bindings.append(entitlementSlug)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// What a report decides on, read under the pair's lock.
private struct StateStatement: PostgresPreparedStatement {
    typealias Row = (
        Date, String, String?, Int, String?, String?, UUID, String, Date, String, Int?, String?, Date?,
        Int64?, Date?, String?, String?, Bool?, String?
    )

    static let sql = """
        WITH clock AS (SELECT date_trunc('milliseconds', clock_timestamp()) AS reported_at)
        SELECT clock.reported_at, e.slug, e.aggregation_method::text, e.warning_threshold_percent::int,
               e.reset_period::text, e.reset_anchor::text, i.license_id, l.slug, i.start_license_date,
               le.value::text, le.limit_cap_exceeded_overage_percent::int, u.value::text, u.period_start,
               t.report_seq, t.reported_at, t.behavior, t.value::text, t.same, t.response::text
        FROM clock
        JOIN instance i ON i.id = $1
        JOIN entitlement e ON e.id = $2
        JOIN license l ON l.id = i.license_id
        JOIN license_entitlement le ON le.license_id = i.license_id AND le.entitlement_id = e.id
        LEFT JOIN LATERAL (
            SELECT value, period_start FROM entitlement_usage WHERE entitlement_id = $2 AND instance_id = $1
            FOR UPDATE
        ) u ON true
        LEFT JOIN LATERAL (
            SELECT report_seq, reported_at, behavior, value, value = $5::numeric AS same, response
            FROM usage_ledger
            WHERE organization_id = $3 AND instance_id = $1 AND entitlement_id = $2 AND transaction_id = $4
              AND reported_at >= clock.reported_at - interval '\(ReportEntitlementUsageMetric.idempotencyWindowDays) days'
              AND reported_at < clock.reported_at + interval '24 hours'
            ORDER BY reported_at DESC
            LIMIT 1
        ) t ON true
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid, .text, .text]

    let pair: UsageReportStorage.Pair
    let organizationID: UUID
    let transactionID: String?
    /// The reported value as decimal text, compared as NUMERIC with the one a transactionId was used for.
    let value: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(pair.instanceID)
        bindings.append(pair.entitlementID)
        bindings.append(organizationID)
        bindings.append(transactionID)
        bindings.append(value)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
