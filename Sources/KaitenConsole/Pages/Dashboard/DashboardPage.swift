import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO
import Synchronization

/// `/console/dashboard`: the organization at a glance: six figures, three insight cards and the charts of
/// Kaiten's dashboard, drawn on the server as SVG. Two queries, whatever the organization's size, made at most
/// once per ``DashboardCache/lifetime`` per organization: they aggregate every instance and usage, which costs
/// about a hundred milliseconds at 10,000 instances, and a dashboard a few seconds old serves as well.
struct DashboardPage: Sendable {
    let database: Database
    let cache = DashboardCache()

    func register(on routes: ConsoleRoutes) {
        routes.page("dashboard") { console in console.render(try await page(console)) }
    }

    func page(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.instances))
        let organization = console.caller.organizationID
        let (figures, charts, computedAt) = try await cache.value(for: organization) {
            (try await Figures.read(organization, database: database), try await Charts.read(organization, database: database))
        }
        var data: [String: Any] = [
            "computedAt": Format.date(computedAt),
            "figures": [
                ["label": "Customers", "value": figures.customers, "link": "/console/customers"],
                ["label": "Active instances", "value": figures.activeInstances, "link": "/console/instances"],
                ["label": "Licenses ending within 30 days", "value": figures.endingSoon, "hint": "\(figures.endingWithin60) within 60 days"],
                ["label": "Licenses", "value": figures.licenses, "link": "/console/licenses"],
                ["label": "Flags enabled", "value": "\(figures.flagsEnabled) / \(figures.flags)", "link": "/console/feature-flags"],
                [
                    "label": "Tokens expiring within 30 days", "value": figures.tokensExpiringSoon, "link": "/console/service-accounts",
                    "hint": "\(figures.activeTokens) active",
                ],
            ] as [[String: Any]],
            "alerts": ["nearLimit": charts.usages(inBucket: 2), "overLimit": charts.usages(inBucket: 3)],
            "coverage": ["zonesWithRelease": figures.zonesWithRelease, "zones": figures.zones],
            "automation": ["serviceAccounts": figures.serviceAccounts, "tokens": figures.activeTokens],
            "saturation": charts.saturation,
            "hasSaturation": !charts.saturation.isEmpty,
        ]
        let drawn = [
            ("forecast", BarChart(title: "Licenses ending, by days from today", bars: zip(Charts.expiryBuckets, charts.expiry).map { ($0, $1) })),
            ("topCustomers", BarChart(title: "Customers with the most instances", bars: charts.topCustomers)),
            ("created", BarChart(title: "Instances created per month", bars: zip(charts.months, charts.createdPerMonth).map { ($0, $1) })),
            ("releases", BarChart(title: "Releases created per month", bars: zip(charts.months, charts.releasesPerMonth).map { ($0, $1) })),
            ("flagTypes", BarChart(title: "Flags by type", bars: charts.flagTypes)),
            ("flagRules", BarChart(title: "Flags by number of targeting rules", bars: zip(Charts.ruleBuckets, charts.rules).map { ($0, $1) })),
            ("tokens", BarChart(title: "Organization tokens by state", bars: zip(Charts.tokenStates, charts.tokens).map { ($0, $1) })),
        ]
        for (name, chart) in drawn {
            data[name] = chart.isEmpty ? ["empty": true] : ["svg": chart.svg]
        }
        return Page(template: "dashboard", title: "Dashboard", section: .dashboard, data: data)
    }
}

/// The figures and insight counts, in one query.
/// The dashboard's aggregates per organization, for a short while.
final class DashboardCache: Sendable {
    static let lifetime: Duration = .seconds(10)

    private struct Entry {
        let figures: Figures
        let charts: Charts
        let computedAt: Date
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[UUID: Entry]>([:])

    fileprivate func value(
        for organization: UUID, compute: () async throws -> (Figures, Charts)
    ) async throws -> (Figures, Charts, Date) {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[organization] }), entry.expires > now {
            return (entry.figures, entry.charts, entry.computedAt)
        }
        let (figures, charts) = try await compute()
        let entry = Entry(figures: figures, charts: charts, computedAt: Date(), expires: now.advanced(by: Self.lifetime))
        entries.withLock { entries in
            // Organizations whose entry ran out are dropped as others are stored, so the cache holds only live ones.
            entries = entries.filter { $0.value.expires > now }
            entries[organization] = entry
        }
        return (figures, charts, entry.computedAt)
    }
}

private struct Figures: Sendable {
    var customers = 0, activeInstances = 0, endingSoon = 0, endingWithin60 = 0, licenses = 0, flags = 0, flagsEnabled = 0
    var tokensExpiringSoon = 0, activeTokens = 0, serviceAccounts = 0, zones = 0, zonesWithRelease = 0

    static func read(_ organization: UUID, database: Database) async throws -> Figures {
        let row = try await database.first(
            """
            SELECT
              (SELECT count(*)::int FROM customer WHERE organization_id = \(organization)),
              (SELECT ARRAY[count(*) FILTER (WHERE end_license_date > now()),
                            count(*) FILTER (WHERE end_license_date > now() AND end_license_date <= now() + interval '30 days'),
                            count(*) FILTER (WHERE end_license_date > now() AND end_license_date <= now() + interval '60 days')]::int[]
               FROM instance WHERE organization_id = \(organization)),
              (SELECT count(*)::int FROM license WHERE organization_id = \(organization)),
              (SELECT ARRAY[count(*), count(*) FILTER (WHERE enabled)]::int[] FROM feature_flag WHERE organization_id = \(organization)),
              (SELECT ARRAY[count(*) FILTER (WHERE expires_at <= now() + interval '30 days'), count(*)]::int[]
               FROM token WHERE organization_id = \(organization) AND kind = 'organization' AND revoked_date IS NULL
                 AND (expires_at IS NULL OR expires_at > now())),
              (SELECT count(*)::int FROM "user" WHERE organization_id = \(organization) AND type = 'machine' AND deleted_at IS NULL),
              (SELECT ARRAY[count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM deployment d WHERE d.deployment_zone_id = z.id))]::int[]
               FROM deployment_zone z WHERE z.organization_id = \(organization))
            """,
            as: (Int, [Int], Int, [Int], [Int], Int, [Int]).self,
            logger: database.logger
        )!
        var figures = Figures()
        figures.customers = row.0
        (figures.activeInstances, figures.endingSoon, figures.endingWithin60) = (row.1[0], row.1[1], row.1[2])
        figures.licenses = row.2
        (figures.flags, figures.flagsEnabled) = (row.3[0], row.3[1])
        (figures.tokensExpiringSoon, figures.activeTokens) = (row.4[0], row.4[1])
        figures.serviceAccounts = row.5
        (figures.zones, figures.zonesWithRelease) = (row.6[0], row.6[1])
        return figures
    }
}

/// What the charts draw, in one query.
private struct Charts: Sendable {
    static let expiryBuckets = ["0–7 d", "8–30 d", "31–60 d", "61–90 d", "> 90 d"]
    static let ruleBuckets = ["none", "1", "2", "3", "4+"]
    static let tokenStates = ["healthy", "expiring ≤ 30 d", "no expiry", "expired", "revoked"]
    static let saturationBuckets = ["< 50 %", "50–80 %", "80–100 %", "> 100 %", "no limit"]

    var expiry: [Int] = []
    var topCustomers: [(label: String, value: Int)] = []
    var months: [String] = []
    var createdPerMonth: [Int] = []
    var releasesPerMonth: [Int] = []
    var flagTypes: [(label: String, value: Int)] = []
    var rules: [Int] = []
    var tokens: [Int] = []
    /// Usages per saturation bucket (the index into ``saturationBuckets``), by license type.
    var usagesByBucket: [String: [Int]] = [:]

    func usages(inBucket bucket: Int) -> Int { usagesByBucket.values.reduce(0) { $0 + $1[bucket] } }

    static func read(_ organization: UUID, database: Database) async throws -> Charts {
        let row = try await database.first(
            """
            WITH months AS (
                SELECT generate_series(date_trunc('month', now()) - interval '11 months', date_trunc('month', now()), interval '1 month') AS month
            ), top AS (
                SELECT c.name, count(*)::int AS instances FROM instance i JOIN customer c ON c.id = i.customer_id
                WHERE i.organization_id = \(organization) GROUP BY c.id, c.name ORDER BY count(*) DESC, c.name LIMIT 8
            ), created AS (
                SELECT date_trunc('month', created_at) AS month, count(*)::int AS instances FROM instance
                WHERE organization_id = \(organization) AND created_at >= date_trunc('month', now()) - interval '11 months' GROUP BY 1
            ), released AS (
                SELECT date_trunc('month', created_at) AS month, count(*)::int AS releases FROM release
                WHERE organization_id = \(organization) AND created_at >= date_trunc('month', now()) - interval '11 months' GROUP BY 1
            ), grants AS (
                -- The few NUMBER grants, each with its license's type and threshold (-1: no limit), to join usages to.
                SELECT g.license_id, g.entitlement_id, l.type::text AS license_type, (g.value ->> 'value')::numeric AS threshold
                FROM license_entitlement g JOIN license l ON l.id = g.license_id
                WHERE g.organization_id = \(organization) AND g.value ->> 'type' = 'number'
            )
            SELECT
              (SELECT ARRAY[count(*) FILTER (WHERE end_license_date <= now() + interval '7 days'),
                            count(*) FILTER (WHERE end_license_date > now() + interval '7 days' AND end_license_date <= now() + interval '30 days'),
                            count(*) FILTER (WHERE end_license_date > now() + interval '30 days' AND end_license_date <= now() + interval '60 days'),
                            count(*) FILTER (WHERE end_license_date > now() + interval '60 days' AND end_license_date <= now() + interval '90 days'),
                            count(*) FILTER (WHERE end_license_date > now() + interval '90 days')]::int[]
               FROM instance WHERE organization_id = \(organization) AND end_license_date > now()),
              (SELECT COALESCE(array_agg(name ORDER BY instances DESC, name), '{}') FROM top),
              (SELECT COALESCE(array_agg(instances ORDER BY instances DESC, name), '{}') FROM top),
              (SELECT array_agg(to_char(month, 'Mon') ORDER BY month) FROM months),
              (SELECT array_agg(COALESCE(instances, 0) ORDER BY month) FROM months LEFT JOIN created USING (month)),
              (SELECT array_agg(COALESCE(releases, 0) ORDER BY month) FROM months LEFT JOIN released USING (month)),
              (SELECT ARRAY[count(*) FILTER (WHERE type = 'boolean'), count(*) FILTER (WHERE type = 'string'),
                            count(*) FILTER (WHERE type = 'number'), count(*) FILTER (WHERE type = 'object'),
                            count(*) FILTER (WHERE jsonb_array_length(targetings) = 0), count(*) FILTER (WHERE jsonb_array_length(targetings) = 1),
                            count(*) FILTER (WHERE jsonb_array_length(targetings) = 2), count(*) FILTER (WHERE jsonb_array_length(targetings) = 3),
                            count(*) FILTER (WHERE jsonb_array_length(targetings) >= 4)]::int[]
               FROM feature_flag WHERE organization_id = \(organization)),
              (SELECT ARRAY[count(*) FILTER (WHERE revoked_date IS NULL AND expires_at > now() + interval '30 days'),
                            count(*) FILTER (WHERE revoked_date IS NULL AND expires_at > now() AND expires_at <= now() + interval '30 days'),
                            count(*) FILTER (WHERE revoked_date IS NULL AND expires_at IS NULL),
                            count(*) FILTER (WHERE revoked_date IS NULL AND expires_at <= now()),
                            count(*) FILTER (WHERE revoked_date IS NOT NULL)]::int[]
               FROM token WHERE organization_id = \(organization) AND kind = 'organization'),
              (SELECT COALESCE(array_agg(license_type || ':' || bucket || ':' || usages ORDER BY license_type, bucket), '{}') FROM (
                  SELECT license_type,
                         CASE WHEN threshold < 0 THEN 4 WHEN ratio IS NULL THEN 3 WHEN ratio < 0.5 THEN 0 WHEN ratio < 0.8 THEN 1
                              WHEN ratio <= 1 THEN 2 ELSE 3 END AS bucket,
                         count(*) AS usages
                  FROM (
                      -- Each NUMBER usage as last reported, against its grant.
                      SELECT g.license_type, g.threshold,
                             CASE WHEN g.threshold > 0 THEN (u.value ->> 'value')::numeric / g.threshold END AS ratio
                      FROM entitlement_usage u
                      JOIN instance i ON i.id = u.instance_id
                      JOIN grants g ON g.license_id = i.license_id AND g.entitlement_id = u.entitlement_id
                      WHERE u.organization_id = \(organization)) usage
                  GROUP BY 1, 2) cells)
            """,
            as: ([Int], [String], [Int], [String], [Int], [Int], [Int], [Int], [String]).self,
            logger: database.logger
        )!
        var charts = Charts()
        charts.expiry = row.0
        charts.topCustomers = zip(row.1, row.2).map { (String($0.prefix(14)), $1) }
        charts.months = row.3
        charts.createdPerMonth = row.4
        charts.releasesPerMonth = row.5
        charts.flagTypes = zip(["boolean", "string", "number", "object"], row.6.prefix(4)).map { ($0, $1) }
        charts.rules = Array(row.6.dropFirst(4))
        charts.tokens = row.7
        var cells: [String: [Int]] = [:]
        for cell in row.8 {
            let parts = cell.split(separator: ":")
            guard parts.count == 3, let bucket = Int(parts[1]), let usages = Int(parts[2]) else { continue }
            cells[String(parts[0]), default: Array(repeating: 0, count: Self.saturationBuckets.count)][bucket] = usages
        }
        charts.usagesByBucket = cells
        return charts
    }

    /// The heatmap's rows: one per license type, a cell per bucket.
    var saturation: [[String: Any]] {
        usagesByBucket.keys.sorted().map { licenseType in
            [
                "licenseType": licenseType.prefix(1) + licenseType.dropFirst().lowercased(),
                "cells": zip(Self.saturationBuckets, usagesByBucket[licenseType]!).enumerated().map { index, cell in
                    ["bucket": cell.0, "usages": cell.1, "level": "level-\(index)"] as [String: Any]
                },
            ]
        }
    }
}
