import Foundation
import KaitenCore

/// One usage report being decided: the stored total and window it starts from, the grant's cap, and the
/// events it owes. Pure: the use case reads its inputs and writes what it decides.
struct UsageReport {
    let pair: UsageReportStorage.Pair
    let state: UsageReportStorage.State
    let command: ReportEntitlementUsageMetric.Command
    /// The request's trace context, which the report's events carry.
    let trace: [String: String]
    let aggregation: AggregationMethod
    let cap: UsageCap
    let limit: EntitlementValue?
    let schedule: UsageSchedule?
    /// The window the report counts in; nil for a lifetime counter.
    private(set) var window: UsageWindow?
    /// The total the report folds into: the stored one, or zero once stale windows were closed.
    private(set) var current: NumberUsage
    private(set) var rolledOver = false

    init(
        pair: UsageReportStorage.Pair, state: UsageReportStorage.State, command: ReportEntitlementUsageMetric.Command, trace: [String: String]
    ) throws {
        self.pair = pair
        self.state = state
        self.command = command
        self.trace = trace
        if let stored = state.storedUsage {
            guard let usage = NumberUsage(stored: stored) else {
                throw APIError.validation("ReportEntitlementUsageMetric.InvalidStoredUsageValue", "the stored usage is not a number usage value")
            }
            current = usage
        } else {
            current = .zero
        }
        let grant = try? JSONValue.parse(Array(state.grant.utf8))
        limit = grant.flatMap { EntitlementValue(json: $0) }
        guard case .number(let threshold, _)? = limit else {
            throw APIError.validation(
                "ReportEntitlementUsageMetric.InvalidLicenseEntitlementValue",
                "the license grants no number value this usage can be measured against"
            )
        }
        cap = UsageCap(threshold: threshold, overagePercent: state.overagePercent ?? 0)
        guard let aggregation = AggregationMethod(rawValue: state.aggregationMethod ?? AggregationMethod.sum.rawValue) else {
            throw APIError.validation(
                "ReportEntitlementUsageMetric.InvalidAggregationConfiguration",
                "unsupported aggregation method \(state.aggregationMethod ?? "")"
            )
        }
        self.aggregation = aggregation
        schedule = UsageSchedule(period: state.resetPeriod, anchor: state.resetAnchor, licenseStart: state.licenseStart)
    }

    var headers: [String: String] { trace.merging(["instance_id": pair.instanceID.lowercased]) { _, producer in producer } }

    /// Resolves the report's window and, when the stored total belongs to an earlier one, closes it and
    /// every window skipped since: one event each. From then on the report counts from zero.
    mutating func rollover(organizationID: UUID) throws -> [OutboxMessage] {
        guard let schedule else { return [] }
        let window = schedule.currentWindow(at: state.reportedAt, storedStart: state.storedPeriodStart)
        self.window = window
        guard state.storedUsage != nil, state.storedPeriodStart?.milliseconds != window.start.milliseconds else { return [] }
        let closures: [UsageSchedule.Closure]
        do {
            closures = try schedule.closures(
                from: state.storedPeriodStart, usage: current, to: window, limit: ReportEntitlementUsageMetric.maximumRolloverClosures
            )
        } catch is UsageSchedule.TooManyClosures {
            throw APIError(
                .internalFailure,
                code: "ReportEntitlementUsageMetric.RolloverLimitExceeded",
                detail:
                    "closing the usage windows elapsed since the last report of \(state.entitlementSlug) would exceed the limit of \(ReportEntitlementUsageMetric.maximumRolloverClosures)"
            )
        }
        current = .zero
        rolledOver = true
        return try closures.map { closure in
            try OutboxMessage(
                organizationID: organizationID,
                event: InstanceEvents.periodRolledOver,
                data: UsagePeriodRolledOver(
                    entitlementID: pair.entitlementID.lowercased, entitlementSlug: state.entitlementSlug,
                    instanceID: pair.instanceID.lowercased, closure: closure
                ),
                headers: headers,
                occurredAt: state.reportedAt
            )
        }
    }

    func updatedUsage() -> NumberUsage {
        command.behavior.apply(command.value, to: current, aggregation: aggregation)
    }

    func response(_ updated: NumberUsage) -> EntitlementUsageResource {
        EntitlementUsageResource(
            entitlementId: pair.entitlementID.lowercased,
            entitlementSlug: state.entitlementSlug,
            licenseId: state.licenseID.lowercased,
            licenseSlug: state.licenseSlug,
            value: updated.entitlementValue,
            limit: limit,
            currentPeriodStart: window?.start,
            currentPeriodEnd: window?.end
        )
    }

    /// `ENTITLEMENT_USAGE_REPORT_ACCEPTED` or `…_REJECTED`.
    func outcomeEvent(_ event: EventType, _ updated: NumberUsage, organizationID: UUID) throws -> OutboxMessage {
        let status = event == InstanceEvents.reportAccepted ? "ACCEPTED" : "REJECTED"
        return try message(
            event,
            UsageReportOutcome(
                entitlementSlug: state.entitlementSlug, value: command.value, behavior: command.behavior.rawValue,
                eventCount: updated.eventCount, status: status
            ),
            organizationID: organizationID
        )
    }

    /// The events of an accepted report: ACCEPTED, then reaching the cap exactly or crossing past it, then
    /// crossing the early-warning boundary.
    func acceptedEvents(_ updated: NumberUsage, response: EntitlementUsageResource, organizationID: UUID) throws -> [OutboxMessage] {
        var events = [try outcomeEvent(InstanceEvents.reportAccepted, updated, organizationID: organizationID)]
        guard !cap.isUnlimited else { return events }
        let threshold = cap.threshold
        if updated.value == threshold {
            events.append(try message(InstanceEvents.usageReached, response, organizationID: organizationID))
        } else if updated.value > threshold, UsageCap.crossed(current.value, updated.value, threshold) {
            events.append(
                try message(
                    InstanceEvents.capExceeded,
                    UsageCapExceeded(
                        entitlementSlug: state.entitlementSlug, threshold: threshold, value: updated.value, overage: updated.value - threshold),
                    organizationID: organizationID
                )
            )
        }
        if state.warningThresholdPercent > 0 {
            let boundary = threshold * Double(state.warningThresholdPercent) / 100
            if UsageCap.crossed(current.value, updated.value, boundary) {
                events.append(
                    try message(
                        InstanceEvents.warningThresholdReached,
                        UsageWarningThresholdReached(
                            entitlementSlug: state.entitlementSlug, threshold: threshold, boundary: boundary, value: updated.value),
                        organizationID: organizationID
                    )
                )
            }
        }
        return events
    }

    private func message(_ event: EventType, _ payload: some Encodable, organizationID: UUID) throws -> OutboxMessage {
        try OutboxMessage(organizationID: organizationID, event: event, data: payload, headers: headers, occurredAt: state.reportedAt)
    }
}
