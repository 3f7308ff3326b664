import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Fills an organization with a realistic amount of data to try the console on and to benchmark it: a
/// catalog of five entitlements, four published licenses granting them, customers, instances spread over
/// the customers, licenses, statuses and a year of start dates, a year of weekly usage reports per instance,
/// and the audit-trail events those would have left.
///
/// It writes with set-based SQL, not through the use cases: ten thousand instances and half a million usage
/// reports through the API would take longer than the benchmark they feed, and no event needs to flow.
/// Everything it creates has a `demo-` slug, and it does nothing when the organization already has it.
package struct DemoData: Sendable {
    package var customers = 1_000
    package var instances = 10_000
    /// Weekly usage reports per instance, newest this week.
    package var usageWeeks = 52
    /// Audit-trail events per instance (its creation and its latest usage reports).
    package var auditEventsPerInstance = 10

    package init() {}

    /// Seeds the organization with this external id; false when it was seeded already.
    @discardableResult
    package func seed(organizationExternalID: String, database: Database) async throws -> Bool {
        guard
            let organizationID = try await database.first(
                "SELECT id FROM organization WHERE external_id = \(organizationExternalID)", as: UUID.self, logger: database.logger)
        else { throw DemoDataError.unknownOrganization(organizationExternalID) }
        return try await seed(organizationID: organizationID, database: database)
    }

    /// Seeds the organization; false when it was seeded already.
    @discardableResult
    package func seed(organizationID: UUID, database: Database) async throws -> Bool {
        try await database.transaction { connection in
            let logger = database.logger
            let seeded = try await connection.first(
                "SELECT count(*)::int FROM customer WHERE organization_id = \(organizationID) AND slug = 'demo-customer-1'", as: Int.self,
                logger: logger)
            guard seeded == 0 else { return false }
            for statement in statements(organizationID: organizationID) {
                try await connection.execute(statement, logger: logger)
            }
            return true
        }
    }

    private func statements(organizationID org: UUID) -> [PostgresQuery] {
        [
            """
            INSERT INTO entitlement (organization_id, name, slug, description, type, aggregation_method, reset_period, reset_anchor,
                                     unit_singular, unit_plural, user_facing, display_order)
            VALUES (\(org), 'API calls', 'demo-api-calls', 'Calls to the public API each month', 'NUMBER', 'SUM', 'MONTH', 'CALENDAR',
                    'call', 'calls', true, 1),
                   (\(org), 'Seats', 'demo-seats', 'Named users', 'NUMBER', 'LATEST', NULL, NULL, 'seat', 'seats', true, 2),
                   (\(org), 'Storage', 'demo-storage', 'Stored data', 'NUMBER', 'MAX', NULL, NULL, 'GB', 'GB', true, 3),
                   (\(org), 'Single sign-on', 'demo-sso', 'SAML and OIDC sign-in', 'BOOLEAN', NULL, NULL, NULL, NULL, NULL, true, 4),
                   (\(org), 'Audit log export', 'demo-audit-export', 'Export of the audit log', 'BOOLEAN', NULL, NULL, NULL, NULL, NULL, false, 5)
            """,
            """
            WITH plans (slug, name, type) AS (
                VALUES ('demo-community', 'Community', 'COMMUNITY'), ('demo-trial', 'Trial', 'TRIAL'),
                       ('demo-team', 'Team', 'PAID'), ('demo-enterprise', 'Enterprise', 'PAID')
            ), families AS (
                INSERT INTO license_family (organization_id, slug, last_version)
                SELECT \(org), slug, 1 FROM plans RETURNING id, slug
            )
            INSERT INTO license (organization_id, family_id, name, slug, description, type, version, version_name, is_default, lifecycle_state)
            SELECT \(org), f.id, p.name, p.slug || '-v1', p.name || ' plan', p.type::license_type, 1, 'v1', true, 'PUBLISHED'
            FROM plans p JOIN families f ON f.slug = p.slug
            """,
            // Limits per plan: API calls a month, seats, storage; -1 is unlimited.
            """
            WITH limits (license, entitlement, value, overage) AS (
                VALUES ('demo-community-v1', 'demo-api-calls', 10000, 0), ('demo-community-v1', 'demo-seats', 5, 0),
                       ('demo-trial-v1', 'demo-api-calls', 50000, 0), ('demo-trial-v1', 'demo-seats', 10, 0),
                       ('demo-team-v1', 'demo-api-calls', 100000, 10), ('demo-team-v1', 'demo-seats', 50, 10),
                       ('demo-team-v1', 'demo-storage', 500, 0), ('demo-enterprise-v1', 'demo-api-calls', -1, -1),
                       ('demo-enterprise-v1', 'demo-seats', 1000, 20), ('demo-enterprise-v1', 'demo-storage', -1, -1)
            )
            INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value, limit_cap_exceeded_overage_percent)
            SELECT \(org), l.id, e.id, jsonb_build_object('type', 'number', 'value', limits.value), limits.overage
            FROM limits
            JOIN license l ON l.organization_id = \(org) AND l.slug = limits.license
            JOIN entitlement e ON e.organization_id = \(org) AND e.slug = limits.entitlement
            UNION ALL
            SELECT \(org), l.id, e.id, jsonb_build_object('type', 'boolean', 'value', l.type = 'PAID'), NULL
            FROM license l JOIN entitlement e ON e.organization_id = l.organization_id AND e.type = 'BOOLEAN'
            WHERE l.organization_id = \(org) AND l.slug LIKE 'demo-%'
            """,
            """
            INSERT INTO customer (organization_id, name, slug, external_customer_id, domain)
            SELECT \(org), 'Customer ' || n, 'demo-customer-' || n, 'crm-' || n, 'customer' || n || '.example'
            FROM generate_series(1, \(customers)) n
            """,
            // Instances cycle through the customers and the plans, start on any day of the past year and run a year.
            """
            INSERT INTO instance (organization_id, name, slug, description, customer_id, license_id, start_license_date, end_license_date,
                                  status, lifecycle_stage, metadata)
            SELECT \(org), 'Instance ' || n, 'demo-instance-' || n, 'Seeded instance ' || n, c.id, l.id,
                   date_trunc('day', now()) - ((n * 37) % 365) * interval '1 day',
                   date_trunc('day', now()) - ((n * 37) % 365) * interval '1 day' + interval '1 year',
                   (ARRAY['HEALTHY', 'HEALTHY', 'HEALTHY', 'DEGRADED', 'INCIDENT', 'MAINTENANCE'])[1 + n % 6]::instance_status,
                   (ARRAY['Trial', 'Active', 'Active', 'At risk', 'Churned'])[1 + n % 5],
                   jsonb_build_object('region', (ARRAY['eu-west', 'us-east', 'ap-south'])[1 + n % 3])
            FROM generate_series(1, \(instances)) n
            JOIN customer c ON c.organization_id = \(org) AND c.slug = 'demo-customer-' || (1 + (n - 1) % \(customers))
            JOIN license l ON l.organization_id = \(org)
             AND l.slug = (ARRAY['demo-community-v1', 'demo-trial-v1', 'demo-team-v1', 'demo-enterprise-v1'])[1 + n % 4]
            """,
            // This month's API calls and the current seats of every instance: some near or past their limit.
            """
            INSERT INTO entitlement_usage (instance_id, entitlement_id, organization_id, value, period_start, report_seq)
            SELECT i.id, e.id, \(org),
                   jsonb_build_object('type', 'number', 'value',
                       CASE e.slug WHEN 'demo-api-calls' THEN (i.n * 7919) % 120000 ELSE 1 + (i.n * 13) % 60 END,
                       'event_count', \(usageWeeks)),
                   CASE e.slug WHEN 'demo-api-calls' THEN date_trunc('month', now()) END, \(usageWeeks)
            FROM (SELECT id, substring(slug FROM 15)::int AS n FROM instance WHERE organization_id = \(org) AND slug LIKE 'demo-instance-%') i
            CROSS JOIN entitlement e
            WHERE e.organization_id = \(org) AND e.slug IN ('demo-api-calls', 'demo-seats')
            """,
            """
            INSERT INTO usage_ledger (organization_id, instance_id, entitlement_id, report_seq, reported_at, behavior, value, value_after,
                                      event_count_after, response)
            SELECT \(org), i.id, e.id, w, now() - (\(usageWeeks) - w) * interval '1 week', 'append', 500 + (i.n * w * 31) % 2500,
                   (500 + (i.n * 31) % 2500) * w, w, '{"accepted": true}'::jsonb
            FROM (SELECT id, substring(slug FROM 15)::int AS n FROM instance WHERE organization_id = \(org) AND slug LIKE 'demo-instance-%') i
            CROSS JOIN generate_series(1, \(usageWeeks)) w
            JOIN entitlement e ON e.organization_id = \(org) AND e.slug = 'demo-api-calls'
            """,
            """
            INSERT INTO audit_trail (organization_id, instance_id, event_name, event_type, occurred_at, payload)
            SELECT \(org), i.id,
                   CASE WHEN k = 1 THEN 'INSTANCE_CREATED' ELSE 'ENTITLEMENT_USAGE_REPORT_ACCEPTED' END,
                   CASE WHEN k = 1 THEN 'com.kaiten.instance.v1.created'
                        ELSE 'com.kaiten.instance.entitlement.v1.usage_report_accepted' END,
                   CASE WHEN k = 1 THEN i.start_license_date ELSE now() - (k - 1) * interval '1 week' END,
                   jsonb_build_object('instanceId', i.id, 'instanceSlug', i.slug, 'entitlementSlug', 'demo-api-calls', 'sequence', k)
            FROM instance i CROSS JOIN generate_series(1, \(auditEventsPerInstance)) k
            WHERE i.organization_id = \(org) AND i.slug LIKE 'demo-instance-%'
            """,
            "ANALYZE",
        ]
    }
}

enum DemoDataError: Error, CustomStringConvertible {
    case unknownOrganization(String)

    var description: String {
        switch self {
        case .unknownOrganization(let externalID): "no organization has the external id \(externalID)"
        }
    }
}
