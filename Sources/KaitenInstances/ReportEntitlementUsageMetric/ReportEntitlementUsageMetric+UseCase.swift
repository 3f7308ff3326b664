import Foundation
import KaitenCore
import PostgresNIO

extension InstancesModule {
    /// Counts one usage report, in one transaction under the pair's lock: replay or refuse a reused
    /// transactionId, roll stale windows over, fold the report into the total, apply the license's cap, then
    /// write the total, the journal row and the events in one statement.
    ///
    /// A report refused by the cap still commits its rollover and its REJECTED event, and then answers 409.
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
        let organizationID = caller.organizationID
        let logger = database.logger

        let decision: UsageDecision = try await database.transaction { connection in
            guard let pair = try await UsageReportStorage.lockPair(
                instanceSlug: instanceSlug, entitlementSlug: entitlementSlug, organizationID: organizationID, on: connection, logger: logger
            ) else {
                throw ReportEntitlementUsageMetric.contextNotFound(instanceSlug: instanceSlug, entitlementSlug: entitlementSlug)
            }
            guard pair.entitlementType == "NUMBER" || pair.entitlementType == "NUMBER_AI_CREDIT" else {
                throw APIError.validation(
                    "ReportEntitlementUsageMetric.UnsupportedEntitlementType",
                    "report usage is only supported for NUMBER and NUMBER_AI_CREDIT entitlements"
                )
            }
            guard let state = try await UsageReportStorage.state(
                of: pair, organizationID: organizationID, transactionID: command.transactionID, value: command.value,
                on: connection, logger: logger
            ) else {
                throw ReportEntitlementUsageMetric.contextNotFound(instanceSlug: instanceSlug, entitlementSlug: entitlementSlug)
            }
            if let original = state.original {
                return try .replayed(ReportEntitlementUsageMetric.replay(original, of: command, entitlementSlug: entitlementSlug))
            }
            var report = try UsageReport(pair: pair, state: state, command: command)
            var events = try report.rollover(organizationID: organizationID)
            let updated = report.updatedUsage()
            if report.cap.refuses(updated.value) {
                if report.rolledOver, let start = report.window?.start {
                    try await UsageReportStorage.reset(pair, organizationID: organizationID, periodStart: start, on: connection, logger: logger)
                }
                events.append(try report.outcomeEvent(InstanceEvents.reportRejected, updated, organizationID: organizationID))
                try await Outbox.append(contentsOf: events, on: connection, logger: logger)
                return .refused
            }
            let response = report.response(updated)
            let body = try WireJSON.value(of: response)
            events += try report.acceptedEvents(updated, response: response, organizationID: organizationID)
            try await UsageReportStorage.accept(
                pair,
                organizationID: organizationID,
                usage: updated,
                periodStart: report.window?.start,
                ledger: .init(
                    transactionID: command.transactionID,
                    reportedAt: state.reportedAt,
                    behavior: command.behavior.rawValue,
                    value: command.value,
                    response: body.jsonText,
                    metadata: storedMetadata
                ),
                events: events,
                on: connection,
                logger: logger
            )
            return .accepted(body)
        }

        switch decision {
        case .accepted(let usage):
            return .init(usage: usage, replayed: false, metadataDropped: metadataDropped)
        case .replayed(let usage):
            return .init(usage: usage, replayed: true, metadataDropped: false)
        case .refused:
            throw APIError.conflict("ReportEntitlementUsageMetric.ThresholdExceeded", "Usage for \(entitlementSlug) exceeds the allowed threshold")
        }
    }
}

/// How a report's transaction ended; a refusal is answered only after its rollover and event committed.
private enum UsageDecision: Sendable {
    case accepted(JSONValue)
    case replayed(JSONValue)
    case refused
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
        guard original.behavior == command.behavior.rawValue, original.sameValue else {
            let value: JSONValue = [
                "reportSeq": .integer(original.reportSeq),
                "reportedAt": .string(Timestamp.format(original.reportedAt)),
                "behavior": .string(original.behavior),
                "value": (try? JSONValue.parse(Array(original.value.utf8))) ?? .string(original.value),
            ]
            throw APIError(
                .conflict,
                code: "ReportEntitlementUsageMetric.TransactionIdReused",
                detail: "transactionId \"\(command.transactionID ?? "")\" was already used for another report of \(entitlementSlug); send a correction under a new key",
                errors: [ErrorDetail(message: "the report this transactionId was first accepted with", location: "body.transactionId", value: value)]
            )
        }
        return try JSONValue.parse(Array(original.response.utf8))
    }
}
