import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The statements of a batch of usage reports for one pair, each one round trip: the pair's lock is held from
/// the first to the commit, so every statement under it is one more wait for the next batch. The two that
/// read are prepared once per connection: planning them again on every batch would cost more than running
/// them.
enum UsageReportStorage {
    /// The instance and entitlement a report names, with the entitlement's type.
    struct Pair {
        let instanceID: UUID
        let entitlementID: UUID
        let entitlementType: String
    }

    /// Everything the batch decides on, read under the pair's lock; the counter's fields move on as the
    /// batch's reports are decided, one after the other.
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
        var storedUsage: String?
        var storedPeriodStart: Date?
        /// The report_seq of the last accepted report, 0 before the first.
        var storedReportSeq: Int64
        /// The reports the batch's transactionIds were accepted with, within the idempotency window.
        var originals: [String: OriginalReport]
    }

    /// The report a transactionId was first accepted with.
    struct OriginalReport {
        let reportSeq: Int64
        let reportedAt: Date
        let behavior: String
        /// The reported value as NUMERIC text, exactly as stored.
        let value: String
        let response: String

        /// Whether `value` is the one this report was accepted with: the journal holds the shortest text that
        /// reads back as the reported double.
        func hasValue(_ value: Double) -> Bool { Double(self.value) == value }
    }

    /// Resolves the slugs to a pair the instance's license grants, and takes the pair's advisory lock,
    /// which serializes its reports even before its first usage row exists.
    static func lockPair(
        instanceSlug: String, entitlementSlug: String, organizationID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> Pair? {
        let statement = LockPairStatement(organizationID: organizationID, instanceSlug: instanceSlug, entitlementSlug: entitlementSlug)
        for try await row in try await connection.execute(statement, logger: logger) {
            return Pair(instanceID: row.0, entitlementID: row.1, entitlementType: row.2)
        }
        return nil
    }

    /// Reads the batch's instant (the database clock, now that the lock is held, to the millisecond), the
    /// entitlement and grant, the usage row (locked) and the reports `transactionIDs` were accepted with within
    /// the idempotency window. Nil when the grant went away while waiting for the lock.
    static func state(
        of pair: Pair, organizationID: UUID, transactionIDs: [String], on connection: PostgresConnection, logger: Logger
    ) async throws
        -> State?
    {
        let statement = StateStatement(pair: pair, organizationID: organizationID, transactionIDs: transactionIDs)
        for try await row in try await connection.execute(statement, logger: logger) {
            var originals: [String: OriginalReport] = [:]
            if let ids = row.14, let seqs = row.15, let instants = row.16, let behaviors = row.17, let values = row.18, let responses = row.19 {
                for index in ids.indices {
                    originals[ids[index]] = OriginalReport(
                        reportSeq: seqs[index], reportedAt: instants[index], behavior: behaviors[index], value: values[index],
                        response: responses[index]
                    )
                }
            }
            return State(
                reportedAt: row.0, entitlementSlug: row.1, aggregationMethod: row.2, warningThresholdPercent: row.3,
                resetPeriod: row.4, resetAnchor: row.5, licenseID: row.6, licenseSlug: row.7, licenseStart: row.8,
                grant: row.9, overagePercent: row.10, storedUsage: row.11, storedPeriodStart: row.12, storedReportSeq: row.13 ?? 0,
                originals: originals
            )
        }
        return nil
    }

    /// What a batch leaves on the pair's counter.
    struct Counter {
        let usage: NumberUsage
        let periodStart: Date?
        let reportSeq: Int64
    }

    /// Writes the pair's counter when the batch moved it, journals its accepted reports under their numbers and
    /// records its events, in one statement.
    static func write(
        _ pair: Pair,
        organizationID: UUID,
        counter: Counter?,
        ledger: [LedgerEntry],
        reportedAt: Date,
        events: [OutboxMessage],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard let counter else {
            try await Outbox.append(contentsOf: events, on: connection, logger: logger)
            return
        }
        try await connection.execute(
            """
            WITH counter AS (
                INSERT INTO entitlement_usage (entitlement_id, instance_id, organization_id, value, period_start, report_seq)
                VALUES (\(pair.entitlementID), \(pair.instanceID), \(organizationID), \(counter.usage.entitlementValue.json.jsonText)::jsonb,
                        \(counter.periodStart), \(counter.reportSeq))
                ON CONFLICT (entitlement_id, instance_id) DO UPDATE
                SET value = EXCLUDED.value, period_start = EXCLUDED.period_start, report_seq = EXCLUDED.report_seq
            ), journal AS (
                INSERT INTO usage_ledger (organization_id, instance_id, entitlement_id, transaction_id, report_seq, reported_at, behavior,
                                          value, value_after, event_count_after, response, metadata)
                SELECT \(organizationID), \(pair.instanceID), \(pair.entitlementID), NULLIF(l.transaction_id, ''), l.report_seq,
                       \(reportedAt), l.behavior, l.value::numeric, l.value_after::numeric, l.event_count_after, l.response::jsonb,
                       NULLIF(l.metadata, '')::jsonb
                FROM unnest(\(ledger.map { $0.transactionID ?? "" })::text[], \(ledger.map(\.reportSeq))::bigint[],
                            \(ledger.map(\.behavior))::text[], \(ledger.map { numeric($0.value) })::text[],
                            \(ledger.map { numeric($0.usage.value) })::text[], \(ledger.map(\.usage.eventCount))::bigint[],
                            \(ledger.map(\.response))::text[], \(ledger.map { $0.metadata ?? "" })::text[])
                     AS l(transaction_id, report_seq, behavior, value, value_after, event_count_after, response, metadata)
            )
            \(outboxInsert: events)
            """,
            logger: logger
        )
    }

    /// The journal row of an accepted report, besides the counter it moved.
    struct LedgerEntry {
        let transactionID: String?
        let reportSeq: Int64
        let behavior: String
        let value: Double
        /// The total the report left.
        let usage: NumberUsage
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

/// What a batch decides on, read under the pair's lock.
private struct StateStatement: PostgresPreparedStatement {
    typealias Row = (
        Date, String, String?, Int, String?, String?, UUID, String, Date, String, Int?, String?, Date?, Int64?,
        [String]?, [Int64]?, [Date]?, [String]?, [String]?, [String]?
    )

    static let sql = """
        WITH clock AS (SELECT date_trunc('milliseconds', clock_timestamp()) AS reported_at)
        SELECT clock.reported_at, e.slug, e.aggregation_method::text, e.warning_threshold_percent::int,
               e.reset_period::text, e.reset_anchor::text, i.license_id, l.slug, i.start_license_date,
               le.value::text, le.limit_cap_exceeded_overage_percent::int, u.value::text, u.period_start, u.report_seq,
               t.ids, t.seqs, t.instants, t.behaviors, t.values, t.responses
        FROM clock
        JOIN instance i ON i.id = $1
        JOIN entitlement e ON e.id = $2
        JOIN license l ON l.id = i.license_id
        JOIN license_entitlement le ON le.license_id = i.license_id AND le.entitlement_id = e.id
        LEFT JOIN LATERAL (
            SELECT value, period_start, report_seq FROM entitlement_usage WHERE entitlement_id = $2 AND instance_id = $1
            FOR UPDATE
        ) u ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(o.transaction_id) AS ids, array_agg(o.report_seq) AS seqs, array_agg(o.reported_at) AS instants,
                   array_agg(o.behavior) AS behaviors, array_agg(o.value::text) AS values, array_agg(o.response::text) AS responses
            FROM (
                SELECT DISTINCT ON (transaction_id) transaction_id, report_seq, reported_at, behavior, value, response
                FROM usage_ledger
                WHERE organization_id = $3 AND instance_id = $1 AND entitlement_id = $2 AND transaction_id = ANY($4)
                  AND reported_at >= clock.reported_at - interval '\(ReportEntitlementUsageMetric.idempotencyWindowDays) days'
                  AND reported_at < clock.reported_at + interval '24 hours'
                ORDER BY transaction_id, reported_at DESC
            ) o
        ) t ON true
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid, .textArray]

    let pair: UsageReportStorage.Pair
    let organizationID: UUID
    let transactionIDs: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(pair.instanceID)
        bindings.append(pair.entitlementID)
        bindings.append(organizationID)
        bindings.append(transactionIDs)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
