import Foundation
import KaitenCore
import PostgresNIO

extension InstancesModule {
    /// Counts one usage report. Reports to one pair serialize on its lock, so the ones that arrive while a
    /// transaction for the pair runs are decided together in the next (``UsageReportBatch``).
    func reportUsage(
        instanceSlug: String,
        entitlementSlug: String,
        _ command: ReportEntitlementUsageMetric.Command,
        caller: OrganizationCaller
    ) async throws -> ReportEntitlementUsageMetric.Outcome {
        try caller.require(ReportEntitlementUsageMetric.requiredScope)
        var storedMetadata: String?
        var metadataDropped = false
        if let metadata = command.metadata, !metadata.isEmpty {
            let text = JSONValue.object(metadata).jsonText
            if text.utf8.count > ReportEntitlementUsageMetric.maximumMetadataBytes {
                metadataDropped = true
            } else {
                storedMetadata = text
            }
        }
        let key = UsagePairKey(organizationID: caller.organizationID, instanceSlug: instanceSlug, entitlementSlug: entitlementSlug)
        let submission = UsageSubmission(command: command, metadata: storedMetadata, trace: TraceContext.outgoing)
        switch try await usageReports.submit(submission, for: key) {
        case .accepted(let usage):
            KaitenMetrics.usageReport(.accepted)
            return .init(usage: usage, replayed: false, metadataDropped: metadataDropped)
        case .replayed(let usage):
            KaitenMetrics.usageReport(.replayed)
            return .init(usage: usage, replayed: true, metadataDropped: false)
        case .refused:
            KaitenMetrics.usageReport(.refused)
            throw APIError.conflict("ReportEntitlementUsageMetric.ThresholdExceeded", "Usage for \(entitlementSlug) exceeds the allowed threshold")
        }
    }
}

/// The reports that serialize on one lock: one instance's usage of one entitlement, as the request names them.
struct UsagePairKey: Hashable, Sendable {
    let organizationID: UUID
    let instanceSlug: String
    let entitlementSlug: String
}

/// A report waiting for its batch, with what its request contributes besides the body.
struct UsageSubmission: Sendable {
    let command: ReportEntitlementUsageMetric.Command
    /// The metadata to journal, as compact JSON; nil when there is none or it was too large.
    let metadata: String?
    /// The request's trace context, which the report's events carry.
    let trace: [String: String]
}

/// How a report's transaction ended; a refusal is answered only after its rollover and event committed.
enum UsageDecision: Sendable {
    case accepted(JSONValue)
    case replayed(JSONValue)
    case refused
}

/// Decides a batch of reports to one pair in one transaction under the pair's lock: each in turn replays or
/// refuses a reused transactionId, rolls stale windows over, folds its value into the total and meets the
/// license's cap, from the total the one before it left. Then one statement writes the final total, the
/// journal rows and every event.
///
/// A report refused by the cap still commits its rollover and its REJECTED event, and then answers 409. A
/// report that fails on its own (a reused transactionId) fails alone; a failure of the pair (not found) or
/// of the transaction fails the whole batch.
struct UsageReportBatch {
    let pair: UsageReportStorage.Pair
    let organizationID: UUID
    private(set) var state: UsageReportStorage.State
    /// What the batch leaves on the counter; nil while no report moved it.
    private(set) var counter: UsageReportStorage.Counter?
    private(set) var ledger: [UsageReportStorage.LedgerEntry] = []
    private(set) var events: [OutboxMessage] = []

    static func decide(_ submissions: [UsageSubmission], for key: UsagePairKey, database: Database) async -> [Result<UsageDecision, any Error>] {
        let logger = database.logger
        let notFound = ReportEntitlementUsageMetric.contextNotFound(instanceSlug: key.instanceSlug, entitlementSlug: key.entitlementSlug)
        do {
            return try await database.transaction { connection in
                guard
                    let pair = try await UsageReportStorage.lockPair(
                        instanceSlug: key.instanceSlug, entitlementSlug: key.entitlementSlug, organizationID: key.organizationID,
                        on: connection, logger: logger
                    )
                else { throw notFound }
                guard pair.entitlementType == "NUMBER" || pair.entitlementType == "NUMBER_AI_CREDIT" else {
                    throw APIError.validation(
                        "ReportEntitlementUsageMetric.UnsupportedEntitlementType",
                        "report usage is only supported for NUMBER and NUMBER_AI_CREDIT entitlements"
                    )
                }
                let transactionIDs = Array(Set(submissions.compactMap(\.command.transactionID)))
                guard
                    let state = try await UsageReportStorage.state(
                        of: pair, organizationID: key.organizationID, transactionIDs: transactionIDs, on: connection, logger: logger
                    )
                else { throw notFound }
                var batch = UsageReportBatch(pair: pair, organizationID: key.organizationID, state: state)
                let results = submissions.map { submission in Result { try batch.decide(submission) } }
                guard batch.counter != nil || !batch.events.isEmpty else { return results }
                // Each event carries its own request's trace context, not the one of the request leading the batch.
                try await TraceContext.$current.withValue(TraceContext(headers: [:])) {
                    try await UsageReportStorage.write(
                        pair, organizationID: key.organizationID, counter: batch.counter, ledger: batch.ledger,
                        reportedAt: batch.state.reportedAt, events: batch.events, on: connection, logger: logger
                    )
                }
                return results
            }
        } catch {
            return Array(repeating: .failure(error), count: submissions.count)
        }
    }

    private init(pair: UsageReportStorage.Pair, organizationID: UUID, state: UsageReportStorage.State) {
        self.pair = pair
        self.organizationID = organizationID
        self.state = state
    }

    /// Decides one report from the state the reports before it left; changes nothing when it throws.
    private mutating func decide(_ submission: UsageSubmission) throws -> UsageDecision {
        let command = submission.command
        if let transactionID = command.transactionID, let original = state.originals[transactionID] {
            return .replayed(try ReportEntitlementUsageMetric.replay(original, of: command, entitlementSlug: state.entitlementSlug))
        }
        var report = try UsageReport(pair: pair, state: state, command: command, trace: submission.trace)
        var reportEvents = try report.rollover(organizationID: organizationID)
        let updated = report.updatedUsage()
        guard updated.value.isFinite else {
            // A SUM past the largest double: no total can be stored, so the report is refused like a bad value.
            throw APIError.unprocessable(
                "ReportEntitlementUsageMetric.ValueOutOfRange",
                "the usage total would exceed the largest representable number (about 1.8e308)",
                errors: [ErrorDetail(message: "expected the resulting usage to stay finite", location: "body.value")]
            )
        }
        if report.cap.refuses(updated.value) {
            reportEvents.append(try report.outcomeEvent(InstanceEvents.reportRejected, updated, organizationID: organizationID))
            if report.rolledOver, let start = report.window?.start {
                move(to: .zero, periodStart: start, reportSeq: state.storedReportSeq)
            }
            events += reportEvents
            return .refused
        }
        let response = report.response(updated)
        let body = try WireJSON.value(of: response)
        reportEvents += try report.acceptedEvents(updated, response: response, organizationID: organizationID)
        let reportSeq = state.storedReportSeq + 1
        let behavior = command.behavior.rawValue
        ledger.append(
            .init(
                transactionID: command.transactionID, reportSeq: reportSeq, behavior: behavior, value: command.value, usage: updated,
                response: body.jsonText, metadata: submission.metadata
            )
        )
        if let transactionID = command.transactionID {
            state.originals[transactionID] = .init(
                reportSeq: reportSeq, reportedAt: state.reportedAt, behavior: behavior, value: UsageReportStorage.numeric(command.value),
                response: body.jsonText
            )
        }
        move(to: updated, periodStart: report.window?.start, reportSeq: reportSeq)
        events += reportEvents
        return .accepted(body)
    }

    /// The counter after a report: what the next report of the batch starts from, and what the batch writes.
    private mutating func move(to usage: NumberUsage, periodStart: Date?, reportSeq: Int64) {
        state.storedUsage = usage.entitlementValue.json.jsonText
        state.storedPeriodStart = periodStart
        state.storedReportSeq = reportSeq
        counter = .init(usage: usage, periodStart: periodStart, reportSeq: reportSeq)
    }
}

extension ReportEntitlementUsageMetric {
    static func contextNotFound(instanceSlug: String, entitlementSlug: String) -> APIError {
        .notFound(
            "ReportEntitlementUsageMetric.ContextNotFound",
            "instance \"\(instanceSlug)\" or entitlement \"\(entitlementSlug)\" not found, or entitlement is not licensed for this instance"
        )
    }

    /// The first answer of a transactionId sent again with the same report; another report under a key
    /// already used is a client bug, refused with the original report for reference.
    static func replay(_ original: UsageReportStorage.OriginalReport, of command: Command, entitlementSlug: String) throws -> JSONValue {
        guard original.behavior == command.behavior.rawValue, original.hasValue(command.value) else {
            let value: JSONValue = [
                "reportSeq": .integer(original.reportSeq),
                "reportedAt": .string(Timestamp.format(original.reportedAt)),
                "behavior": .string(original.behavior),
                "value": (try? JSONValue.parse(Array(original.value.utf8))) ?? .string(original.value),
            ]
            throw APIError(
                .conflict,
                code: "ReportEntitlementUsageMetric.TransactionIdReused",
                detail:
                    "transactionId \"\(command.transactionID ?? "")\" was already used for another report of \(entitlementSlug); send a correction under a new key",
                errors: [ErrorDetail(message: "the report this transactionId was first accepted with", location: "body.transactionId", value: value)]
            )
        }
        return try JSONValue.parse(Array(original.response.utf8))
    }
}
