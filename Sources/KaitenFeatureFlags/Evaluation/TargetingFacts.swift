import CEL
import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The facts the server puts under `__kaiten` for one evaluation context.
///
/// License and entitlement facts come from the targeting key read as a customer slug: the customer's primary
/// (oldest) instance, its license, and for every grant of that license the limit, the stored usage, what
/// remains and the share used. Instance and customer facts come from the `kaiten` input naming an instance.
enum TargetingFacts {
    static func load(
        organizationID: UUID, context: EvaluationContext, on executor: some SQLExecutor, logger: Logger
    ) async throws -> CELValue {
        var facts: [String: CELValue] = [:]
        if let customerSlug = context.targetingKey {
            for (license, entitlements) in try await executor.all(
                """
                SELECT json_build_object('slug', l.slug, 'familySlug', f.slug, 'type', l.type::text)::text,
                       COALESCE((SELECT json_object_agg(e.slug, json_build_object('grant', g.value, 'used', u.value))
                                 FROM license_entitlement g
                                 JOIN entitlement e ON e.id = g.entitlement_id
                                 LEFT JOIN entitlement_usage u ON u.instance_id = i.id AND u.entitlement_id = g.entitlement_id
                                 WHERE g.license_id = l.id), '{}')::text
                FROM customer c
                JOIN instance i ON i.customer_id = c.id AND i.organization_id = c.organization_id
                JOIN license l ON l.id = i.license_id
                JOIN license_family f ON f.id = l.family_id
                WHERE c.organization_id = \(organizationID) AND c.slug = \(customerSlug)
                ORDER BY i.created_at, i.id
                LIMIT 1
                """,
                as: (String, String).self,
                logger: logger
            ) {
                facts["license"] = CELValue(json: try JSONValue.parse(Array(license.utf8)))
                facts["entitlements"] = entitlementFacts(try JSONValue.parse(Array(entitlements.utf8)))
            }
        }
        if let reference = context.instance {
            var slug: String?
            var id: UUID?
            switch reference {
            case .slug(let value): slug = value
            case .id(let value): id = value
            }
            for (instance, customer) in try await executor.all(
                """
                SELECT json_strip_nulls(json_build_object('id', i.id, 'slug', i.slug, 'name', i.name, 'status', i.status::text,
                                                          'lifecycleStage', i.lifecycle_stage, 'metadata', i.metadata))::text,
                       json_strip_nulls(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug,
                                                          'externalCustomerId', c.external_customer_id, 'domain', c.domain))::text
                FROM instance i JOIN customer c ON c.id = i.customer_id
                WHERE i.organization_id = \(organizationID) AND (i.slug = \(slug) OR i.id = \(id))
                """,
                as: (String, String).self,
                logger: logger
            ) {
                facts["instance"] = CELValue(json: try JSONValue.parse(Array(instance.utf8)))
                facts["customer"] = CELValue(json: try JSONValue.parse(Array(customer.utf8)))
            }
        }
        return .map(CELMap(facts))
    }

    /// `{limit, used, remaining, percentage, unlimited}` per granted entitlement. An unlimited grant has the
    /// largest double as limit and remaining; a grant that is not a number has zeros.
    static func entitlementFacts(_ rows: JSONValue) -> CELValue {
        guard case .object(let grants) = rows else { return .map(CELMap([:])) }
        var facts: [String: CELValue] = [:]
        for (slug, row) in grants {
            let grant = row["grant"].flatMap { EntitlementValue(json: $0) }
            let used = row["used"].flatMap { EntitlementValue(json: $0, allowsEventCount: true) }
            var usedAmount = 0.0
            if case .number(let amount, _)? = used { usedAmount = amount }
            let fact: [String: CELValue]
            switch grant {
            case .number(let limit, _)? where limit == EntitlementValue.unlimited:
                fact = [
                    "limit": .double(.greatestFiniteMagnitude), "used": .double(usedAmount), "remaining": .double(.greatestFiniteMagnitude),
                    "percentage": .double(0), "unlimited": .bool(true),
                ]
            case .number(let limit, _)?:
                fact = [
                    "limit": .double(limit), "used": .double(usedAmount), "remaining": .double(max(limit - usedAmount, 0)),
                    "percentage": .double(limit > 0 ? usedAmount / limit : 0), "unlimited": .bool(false),
                ]
            default:
                fact = ["limit": .double(0), "used": .double(0), "remaining": .double(0), "percentage": .double(0), "unlimited": .bool(false)]
            }
            facts[slug] = .map(CELMap(fact))
        }
        return .map(CELMap(facts))
    }
}
