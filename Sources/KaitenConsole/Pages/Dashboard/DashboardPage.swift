import Foundation
import Hummingbird
import KaitenCore
import PostgresNIO

/// `/console/dashboard`: the organization at a glance, read in one query.
struct DashboardPage: Sendable {
    let database: Database

    func register(on routes: ConsoleRoutes) {
        routes.page("dashboard") { console in console.render(try await page(console)) }
    }

    func page(_ console: ConsoleRequest) async throws -> Page {
        try console.caller.require(.read(.instances))
        let organization = console.caller.organizationID
        let row = try await database.client.first(
            """
            SELECT
              (SELECT count(*)::int FROM customer WHERE organization_id = \(organization)),
              (SELECT count(*)::int FROM instance WHERE organization_id = \(organization) AND end_license_date > now()),
              (SELECT count(*)::int FROM instance WHERE organization_id = \(organization)
                 AND end_license_date > now() AND end_license_date <= now() + interval '30 days'),
              (SELECT count(*)::int FROM license WHERE organization_id = \(organization)),
              (SELECT count(*)::int FROM feature_flag WHERE organization_id = \(organization) AND enabled),
              (SELECT count(*)::int FROM feature_flag WHERE organization_id = \(organization)),
              (SELECT count(*)::int FROM token WHERE organization_id = \(organization) AND kind = 'organization' AND revoked_date IS NULL
                 AND expires_at > now() AND expires_at <= now() + interval '30 days'),
              (SELECT ARRAY[
                  count(*) FILTER (WHERE end_license_date <= now() + interval '7 days'),
                  count(*) FILTER (WHERE end_license_date > now() + interval '7 days' AND end_license_date <= now() + interval '30 days'),
                  count(*) FILTER (WHERE end_license_date > now() + interval '30 days' AND end_license_date <= now() + interval '60 days'),
                  count(*) FILTER (WHERE end_license_date > now() + interval '60 days' AND end_license_date <= now() + interval '90 days'),
                  count(*) FILTER (WHERE end_license_date > now() + interval '90 days')]::int[]
               FROM instance WHERE organization_id = \(organization) AND end_license_date > now())
            """,
            as: (Int, Int, Int, Int, Int, Int, Int, [Int]).self,
            logger: database.logger
        )!
        let forecast = BarChart(
            title: "Licenses ending, by days from today",
            bars: zip(["0–7 d", "8–30 d", "31–60 d", "61–90 d", "> 90 d"], row.7).map { ($0, $1) })
        return Page(
            template: "dashboard", title: "Dashboard", section: .dashboard,
            data: [
                "figures": [
                    ["label": "Customers", "value": row.0, "link": "/console/customers"],
                    ["label": "Active instances", "value": row.1, "link": "/console/instances"],
                    ["label": "Licenses ending within 30 days", "value": row.2, "link": "/console/instances?ending=30"],
                    ["label": "Licenses", "value": row.3],
                    ["label": "Flags enabled", "value": "\(row.4) / \(row.5)", "link": "/console/feature-flags"],
                    ["label": "Tokens expiring within 30 days", "value": row.6, "link": "/console/service-accounts"],
                ] as [[String: Any]],
                "forecast": forecast.svg,
                "forecastEmpty": forecast.isEmpty,
            ])
    }
}
