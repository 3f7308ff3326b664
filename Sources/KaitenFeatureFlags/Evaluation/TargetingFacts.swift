import CEL
import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// The facts the server puts under `__kaiten` for one evaluation context.
///
/// License and entitlement facts come from the targeting key read as a customer slug: the customer's primary
/// (oldest) instance, its license, and for every grant of that license the limit, the stored usage, what
/// remains and the share used. Instance, customer and deployment-zone facts (the zone's current release being
/// its newest deployment) come from the `kaiten` input naming an instance.
enum TargetingFacts {
    /// What an evaluation reads from the database, in one round trip: the facts, and the revision of the
    /// organization's flags, which says whether the flags kept compiled in memory are current.
    struct Reading: Sendable {
        let facts: CELValue
        /// The facts as the database wrote them, in a stable order: what a bulk answer's ETag covers of them.
        let factsText: String
        let flagsRevision: Int64
    }

    /// Reads the facts in one round trip. A prepared statement: the query is planned once per connection, where
    /// planning its subqueries would otherwise cost more than running them.
    static func read(
        organizationID: UUID, context: EvaluationContext, on database: Database, logger: Logger
    ) async throws -> Reading {
        var statement = ReadStatement(organizationID: organizationID, targetingKey: context.targetingKey, instanceSlug: nil, instanceID: nil)
        switch context.instance {
        case .slug(let value)?: statement.instanceSlug = value
        case .id(let value)?: statement.instanceID = value
        case nil: break
        }
        let (revision, licenseText, instanceText) = try await database.rows(statement, logger: logger).first ?? (0, nil, nil)
        var facts: [String: CELValue] = [:]
        if let licenseText, case .object(let members) = try JSONValue.parse(Array(licenseText.utf8)) {
            facts["license"] = members["license"].map(CELValue.init(json:))
            facts["entitlements"] = entitlementFacts(members["entitlements"] ?? .null)
        }
        if let instanceText, case .object(let members) = try JSONValue.parse(Array(instanceText.utf8)) {
            facts["instance"] = members["instance"].map(CELValue.init(json:))
            facts["customer"] = members["customer"].map(CELValue.init(json:))
            if let zone = members["deploymentZone"], zone != .null { facts["deploymentZone"] = CELValue(json: zone) }
        }
        return Reading(facts: .map(CELMap(facts)), factsText: (licenseText ?? "") + "\u{0}" + (instanceText ?? ""), flagsRevision: revision)
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

/// The facts and the flags' revision, for an organization, a targeting key and an instance named by slug or id.
private struct ReadStatement: PostgresPreparedStatement {
    typealias Row = (Int64, String?, String?)

    static let sql = """
        SELECT COALESCE((SELECT revision FROM feature_flag_revision WHERE organization_id = $1), 0),
               (SELECT json_build_object(
                           'license', json_build_object('slug', l.slug, 'familySlug', f.slug, 'type', l.type::text),
                           'entitlements', COALESCE(
                               (SELECT json_object_agg(e.slug, json_build_object('grant', g.value, 'used', u.value) ORDER BY e.slug)
                                FROM license_entitlement g
                                JOIN entitlement e ON e.id = g.entitlement_id
                                LEFT JOIN entitlement_usage u ON u.instance_id = i.id AND u.entitlement_id = g.entitlement_id
                                WHERE g.license_id = l.id), '{}'))::text
                FROM customer c
                JOIN instance i ON i.customer_id = c.id AND i.organization_id = c.organization_id
                JOIN license l ON l.id = i.license_id
                JOIN license_family f ON f.id = l.family_id
                WHERE c.organization_id = $1 AND c.slug = $2
                ORDER BY i.created_at, i.id
                LIMIT 1),
               (SELECT json_build_object(
                           'instance', json_strip_nulls(json_build_object('id', i.id, 'slug', i.slug, 'name', i.name,
                               'status', i.status::text, 'lifecycleStage', i.lifecycle_stage, 'metadata', i.metadata)),
                           'customer', json_strip_nulls(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug,
                               'externalCustomerId', c.external_customer_id, 'domain', c.domain)),
                           'deploymentZone', CASE WHEN z.id IS NOT NULL THEN json_strip_nulls(json_build_object(
                               'id', z.id, 'name', z.name, 'slug', z.slug, 'type', z.type, 'metadata', z.metadata,
                               'currentReleaseId', (SELECT d.release_id FROM deployment d WHERE d.deployment_zone_id = z.id
                                                    ORDER BY d.created_at DESC, d.seq DESC LIMIT 1))) END)::text
                FROM instance i
                JOIN customer c ON c.id = i.customer_id
                LEFT JOIN deployment_zone z ON z.id = i.deployment_zone_id
                WHERE i.organization_id = $1 AND (i.slug = $3 OR i.id = $4)
                LIMIT 1)
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text, .uuid]

    let organizationID: UUID
    let targetingKey: String?
    var instanceSlug: String?
    var instanceID: UUID?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(organizationID)
        bindings.append(targetingKey)
        bindings.append(instanceSlug)
        bindings.append(instanceID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
