import Foundation
import Hummingbird
import KaitenCore
import KaitenInstances
import PostgresNIO

/// `/console/instances/{slug}`: the instance, its license and release, one meter per metered entitlement,
/// its entitlements, its audit trail and one entitlement's value over time; and the status form with its undo.
extension InstancesPages {
    /// How many audit events the timeline shows.
    static let timelineLength = 200
    /// The share of a limit from which usage is "near" it, for an entitlement that sets no warning threshold.
    static let defaultWarningPercent = 80

    func detail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        try console.caller.require(.read(.instances))
        let organization = console.caller.organizationID
        guard
            let row = try await database.first(
                """
                SELECT i.id, i.name, i.slug, i.description, i.status::text, i.lifecycle_stage, i.start_license_date, i.end_license_date,
                       i.metadata::text, i.created_at, cu.name, i.updated_at, uu.name, c.name, c.slug,
                       l.name, l.slug, l.type::text, l.version, l.version_name, l.lifecycle_state::text,
                       z.name, z.type, r.version, r.slug, d.created_at, du.name, now()
                FROM instance i
                JOIN customer c ON c.id = i.customer_id
                JOIN license l ON l.id = i.license_id
                LEFT JOIN "user" cu ON cu.id = i.created_by_id
                LEFT JOIN "user" uu ON uu.id = i.updated_by_id
                LEFT JOIN deployment_zone z ON z.id = i.deployment_zone_id
                LEFT JOIN LATERAL (
                    SELECT release_id, created_at, created_by_id FROM deployment
                    WHERE deployment_zone_id = z.id ORDER BY created_at DESC, seq DESC LIMIT 1
                ) d ON true
                LEFT JOIN release r ON r.id = d.release_id
                LEFT JOIN "user" du ON du.id = d.created_by_id
                WHERE i.organization_id = \(organization) AND i.slug = \(slug)
                """,
                as: (
                    UUID, String, String, String, String, String?, Date, Date, String, Date, String?, Date, String?, String, String,
                    String, String, String, Int, String, String, String?, String?, String?, String?, Date?, String?, Date
                ).self,
                logger: database.logger)
        else {
            throw APIError.notFound("GetInstance.NotFound", "Instance with slug \"\(slug)\" not found")
        }
        let instanceID = row.0
        let now = row.27
        let grants = try await grantDescriptions(console, slug: slug)
        let usages = try await instances.usages(instanceSlug: slug, caller: console.caller)
        let entitlements = usages.compactMap { usage in grants[usage.entitlementSlug].map { EntitlementLine(grant: $0, usage: usage) } }
        let metered = entitlements.filter(\.isMetered)
        let charted = metered.first { $0.grant.slug == console.query("chart") } ?? metered.first
        let events = try await timeline(console, instanceID: instanceID)
        var chart: [String: Any] = [
            "options": metered.map {
                ["value": $0.grant.slug, "label": $0.grant.name, "selected": $0.grant.slug == charted?.grant.slug] as [String: Any]
            }
        ]
        if let charted {
            let values = try await database.all(
                """
                SELECT DISTINCT ON (date_trunc('day', reported_at)) date_trunc('day', reported_at), value_after::float8
                FROM usage_ledger
                WHERE organization_id = \(organization) AND instance_id = \(instanceID)
                  AND entitlement_id = \(UUID(uuidString: charted.usage.entitlementId)) AND reported_at >= now() - interval '30 days'
                ORDER BY date_trunc('day', reported_at), reported_at DESC, report_seq DESC
                """,
                as: (Date, Double).self, logger: database.logger)
            let line = LineChart(title: "\(charted.grant.name), last value each day", points: values.map { (Format.day($0.0), $0.1) })
            chart["name"] = charted.grant.name
            if line.isDrawable {
                chart["line"] = line.data
            } else if let only = values.first {
                chart["sentence"] = "\(Format.number(only.1)) on \(Format.day(only.0)), the only day with a report in the last 30 days."
            }
        }
        let metadata = (try? JSONValue.parse(Array(row.8.utf8)))?.objectValue ?? [:]
        let fields = try await metadataFields(console)
        let declared = Set(fields.map(\.key))
        let undeclared = metadata.filter { !declared.contains($0.key) }
        let elapsed = max(0, min(now.timeIntervalSince(row.6), row.7.timeIntervalSince(row.6)))
        var data: [String: Any] = [
            "instance": [
                "name": row.1, "slug": row.2, "description": row.3.isEmpty ? "—" : row.3, "lifecycle": row.5 ?? "—",
                "status": InstanceStatus.label(row.4), "statusClass": row.4.lowercased(),
                "createdAt": Format.date(row.9), "createdBy": row.10 ?? "—", "updatedAt": Format.date(row.11), "updatedBy": row.12 ?? "—",
                "customer": row.13, "customerLink": "/console/customers/\(row.14)",
            ],
            "expiry": Self.expiry(end: row.7, now: now),
            "entitlementCount": ["enabled": entitlements.filter(\.isEnabled).count, "total": entitlements.count],
            "alerts": [
                "near": metered.filter { $0.state == .near }.count, "reached": metered.filter { $0.state == .reached }.count,
            ],
            "license": [
                "name": row.15, "link": "/console/licenses/\(row.16)", "type": CustomersPages.licenseTypeLabel(row.17),
                "version": "v\(row.18) · \(row.19)", "draft": row.20 == "DRAFT", "start": Format.day(row.6), "end": Format.day(row.7),
                "elapsed": Int(elapsed / 86_400), "length": max(1, Int(row.7.timeIntervalSince(row.6) / 86_400)),
            ] as [String: Any],
            "statuses": InstanceStatus.all.map { ["value": $0, "label": InstanceStatus.label($0), "selected": $0 == row.4] as [String: Any] },
            "metadata": fields.map { ["label": $0.label, "value": metadata[$0.key].map(Self.display) ?? "—"] },
            "hasMetadataFields": !fields.isEmpty,
            "meters": metered.map { $0.meter(instanceSlug: slug) },
            "entitlements": entitlements.map { $0.row(instanceSlug: slug) },
            "hasEntitlements": !entitlements.isEmpty,
            "timeline": events,
            "hasEvents": !events.isEmpty,
            "timelineLength": Self.timelineLength,
            "chart": chart,
            "hasMetered": !metered.isEmpty,
            "canWrite": console.caller.scopes.grants(.write(.instances)),
        ]
        if !undeclared.isEmpty { data["otherMetadata"] = JSONValue.object(undeclared).jsonText }
        if let zone = row.21 {
            var release: [String: Any] = ["zone": "\(zone) — \(row.22 ?? "")"]
            if let version = row.23, let releaseSlug = row.24 {
                release["version"] = version
                release["link"] = "/console/releases/\(releaseSlug)"
                release["deployed"] = "\(Format.date(row.25)) by \(row.26 ?? "—")"
            }
            data["release"] = release
        }
        // The undo is offered with the notice of the change only, so a reload does not offer it again.
        if let undo = console.query("undo"), Self.statuses.contains(undo), undo != row.4, ConsoleCookies.notice(of: console.request) != nil {
            data["undo"] = ["status": undo, "label": InstanceStatus.label(undo)]
        }
        return Page(template: "instance", title: row.1, section: .instances, data: data)
    }

    /// The header card of the license's end: red within 30 days, amber within 90, "Expired" once over.
    static func expiry(end: Date, now: Date) -> [String: Any] {
        let days = Int((end.timeIntervalSince(now) / 86_400).rounded(.up))
        let tone = days <= 0 || days <= 30 ? "critical" : days <= 90 ? "warning" : "ok"
        return ["value": days <= 0 ? "Expired" : "\(days) day\(days == 1 ? "" : "s")", "date": Format.day(end), "tone": tone]
    }

    /// The last audit events of the instance, grouped by day, newest first.
    func timeline(_ console: ConsoleRequest, instanceID: UUID) async throws -> [[String: Any]] {
        let rows = try await database.all(
            """
            SELECT event_name, occurred_at, COALESCE(payload->>'entitlement_slug', ''), COALESCE(payload->>'previous_status', ''),
                   COALESCE(payload->>'new_status', ''), COALESCE(payload->'value'->>'value', payload->>'value', ''), COALESCE(payload->>'status', ''), now()
            FROM audit_trail
            WHERE organization_id = \(console.caller.organizationID) AND instance_id = \(instanceID)
            ORDER BY occurred_at DESC, id DESC
            LIMIT \(Self.timelineLength)
            """,
            as: (String, Date, String, String, String, String, String, Date).self, logger: database.logger)
        var days: [(day: String, events: [[String: Any]])] = []
        for row in rows {
            let day = Self.dayHeading(row.1, now: row.7)
            let detail = [
                row.2,
                row.3.isEmpty ? "" : "\(InstanceStatus.label(row.3)) → \(InstanceStatus.label(row.4))",
                row.5.isEmpty ? "" : "value \(row.5)", row.6.lowercased(),
            ].filter { !$0.isEmpty }.joined(separator: " · ")
            var event: [String: Any] = ["name": row.0, "time": Format.date(row.1), "rejected": row.0.hasSuffix("_REJECTED") || row.6 == "rejected"]
            // Mustache shows a section for an empty string: an event without details has no key.
            if !detail.isEmpty { event["detail"] = detail }
            if days.last?.day == day {
                days[days.count - 1].events.append(event)
            } else {
                days.append((day, [event]))
            }
        }
        return days.map { ["day": $0.day, "events": $0.events] }
    }

    static func dayHeading(_ instant: Date, now: Date) -> String {
        let day = Format.day(instant)
        if day == Format.day(now) { return "Today" }
        if day == Format.day(now.addingTimeInterval(-86_400)) { return "Yesterday" }
        return day
    }

    /// The status form: a change offers its undo, which posts the previous status back.
    func changeStatus(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let previous = try await instances.get(slug: slug, caller: console.caller).status
        let status = form["status"] ?? ""
        try await instances.patch(slug: slug, try PatchInstance.Command(body: .object(["status": .string(status)])), caller: console.caller)
        if form["undo"] != nil {
            return console.redirect(to: "/console/instances/\(slug)", notice: "Status restored to \(InstanceStatus.label(status)).")
        }
        guard status != previous else {
            return console.redirect(to: "/console/instances/\(slug)", notice: "Status unchanged: \(InstanceStatus.label(status)).")
        }
        return console.redirect(
            to: "/console/instances/\(slug)?undo=\(previous)",
            notice: "Status changed from \(InstanceStatus.label(previous)) to \(InstanceStatus.label(status)).")
    }

    /// What the entitlements the instance's license grants are, by slug.
    func grantDescriptions(_ console: ConsoleRequest, slug: String) async throws -> [String: GrantDescription] {
        let rows = try await database.all(
            """
            SELECT e.slug, e.name, e.type::text, e.unit_plural, e.reset_period::text, e.warning_threshold_percent::int,
                   le.limit_cap_exceeded_overage_percent::int
            FROM instance i
            JOIN license_entitlement le ON le.license_id = i.license_id
            JOIN entitlement e ON e.id = le.entitlement_id
            WHERE i.organization_id = \(console.caller.organizationID) AND i.slug = \(slug)
            """,
            as: (String, String, String, String?, String?, Int, Int?).self, logger: database.logger)
        return Dictionary(
            rows.map {
                (
                    $0.0,
                    GrantDescription(slug: $0.0, name: $0.1, type: $0.2, unit: $0.3, resetPeriod: $0.4, warningPercent: $0.5, overagePercent: $0.6)
                )
            },
            uniquingKeysWith: { first, _ in first })
    }
}

/// An entitlement a license grants, as the detail page names it.
struct GrantDescription {
    let slug: String
    let name: String
    let type: String
    let unit: String?
    let resetPeriod: String?
    let warningPercent: Int
    let overagePercent: Int?
}

/// One entitlement of the instance: its grant and the usage the Instances module reads for it, with the
/// cap the module enforces.
struct EntitlementLine {
    enum State { case none, near, reached }

    let grant: GrantDescription
    let usage: EntitlementUsageResource

    var isMetered: Bool { grant.type == "NUMBER" || grant.type == "NUMBER_AI_CREDIT" }

    var used: Double {
        if case .number(let value, _) = usage.value { return value }
        return 0
    }

    var cap: UsageCap? {
        guard isMetered, case .number(let threshold, _)? = usage.limit else { return nil }
        return UsageCap(threshold: threshold, overagePercent: grant.overagePercent ?? 0)
    }

    /// A boolean granted true, a number granting anything, or a configuration.
    var isEnabled: Bool {
        switch usage.limit {
        case .boolean(let granted)?: granted
        case .number(let threshold, _)?: threshold != 0
        case .object?: true
        case nil: false
        }
    }

    /// Near from the warning threshold (or 80 %) of the grant, reached at the grant.
    var state: State {
        guard let cap, !cap.isUnlimited else { return .none }
        let warning = Double(grant.warningPercent > 0 ? grant.warningPercent : InstancesPages.defaultWarningPercent) / 100
        if used >= cap.threshold { return .reached }
        return used >= cap.threshold * warning ? .near : .none
    }

    var window: String {
        guard let start = usage.currentPeriodStart, let end = usage.currentPeriodEnd else { return "Lifetime" }
        return "\(Format.date(start)) → \(Format.date(end))"
    }

    var unit: String { grant.unit.map { " \($0)" } ?? "" }

    var threshold: String {
        guard let cap else {
            if case .boolean(let granted)? = usage.limit { return granted ? "Enabled" : "Disabled" }
            return "—"
        }
        guard let maximum = cap.maximum else { return "Unlimited" }
        return cap.overagePercent > 0
            ? "\(Format.number(cap.threshold)) (up to \(Format.number(maximum)) with \(cap.overagePercent) % overage)"
            : Format.number(cap.threshold)
    }

    func historyLink(instanceSlug: String) -> String { "/console/instances/\(instanceSlug)/usage/\(grant.slug)" }

    /// A usage meter: the value against the most the cap accepts, high from the grant itself.
    func meter(instanceSlug: String) -> [String: Any] {
        var data: [String: Any] = [
            "id": "meter-\(grant.slug)", "name": grant.name, "value": used, "used": Format.number(used) + unit, "window": window,
            "history": historyLink(instanceSlug: instanceSlug),
        ]
        if let cap, let maximum = cap.maximum {
            data["max"] = maximum
            data["high"] = cap.threshold * Double(grant.warningPercent > 0 ? grant.warningPercent : InstancesPages.defaultWarningPercent) / 100
            data["limit"] = Format.number(cap.threshold) + unit
            data["overage"] = cap.overagePercent > 0 ? "\(cap.overagePercent) % overage allowed, up to \(Format.number(maximum))" : "No overage"
        } else {
            data["unlimited"] = true
        }
        return data
    }

    func row(instanceSlug: String) -> [String: Any] {
        let usageText: String =
            switch usage.value {
            case .number(let value, _): Format.number(value) + unit
            case .boolean(let granted): granted ? "Enabled" : "Disabled"
            case .object(let members): JSONValue.object(members).jsonText
            }
        let status: (label: String, tone: String) =
            switch (state, isMetered, isEnabled) {
            case (.reached, _, _): ("Limit reached", "incident")
            case (.near, _, _): ("Near limit", "warning")
            case (_, true, _): ("Within limit", "healthy")
            case (_, false, true): ("Enabled", "enabled")
            case (_, false, false): ("Disabled", "disabled")
            }
        var data: [String: Any] = [
            "name": grant.name, "link": "/console/entitlements/\(grant.slug)", "type": grant.type, "usage": usageText,
            "threshold": threshold, "window": isMetered ? window : "—", "status": status.label, "statusClass": status.tone,
        ]
        if isMetered { data["history"] = historyLink(instanceSlug: instanceSlug) }
        return data
    }
}
