import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /feature-flags/targeting/context`: what a rule can read, as a tree for editors: the targeting key, the
/// caller's own attributes, and the server's facts under `__kaiten` with the organization's entitlements.
enum GetTargetingContext {
    static let operation = APIOperation("get-targeting-context", .get, "/feature-flags/targeting/context")
    static let requiredScope = Scope.read(.featureFlags)

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try await module.targetingContext(caller: try context.organizationCaller()))
        }
    }
}

extension FeatureFlagsModule {
    func targetingContext(caller: OrganizationCaller) async throws -> JSONValue {
        try caller.require(GetTargetingContext.requiredScope)
        let entitlements = try await entitlementSlugs(of: caller.organizationID).sorted()
        func node(_ name: String, _ type: String, _ description: String, optional: Bool = false, fields: [JSONValue]? = nil) -> JSONValue {
            var members: [String: JSONValue] = ["name": .string(name), "type": .string(type), "description": .string(description)]
            if optional { members["optional"] = true }
            if let fields { members["fields"] = .array(fields) }
            return .object(members)
        }
        let entitlement = node(
            "<entitlement>", "object", "one granted entitlement",
            fields: [
                node("limit", "number", "the granted amount; the largest number when unlimited"),
                node("used", "number", "the usage stored for the primary instance"),
                node("remaining", "number", "what is left of the limit"),
                node("percentage", "number", "the share used, from 0 to 1"),
                node("unlimited", "boolean", "whether the grant has no limit"),
            ])
        var entitlementsNode = node("entitlements", "map", "the license's grants by entitlement slug", optional: true)
        if case .object(var members) = entitlementsNode {
            members["knownKeys"] = .array(entitlements.map(JSONValue.string))
            members["values"] = entitlement
            entitlementsNode = .object(members)
        }
        let facts = node(
            "__kaiten", "object", "facts the server fills; what a caller sends here is dropped",
            fields: [
                node(
                    "license", "object", "the license of the customer's oldest instance (targeting key read as a customer slug)", optional: true,
                    fields: [
                        node("slug", "string", "the license's slug"), node("familySlug", "string", "its family's slug"),
                        node("type", "string", "its type"),
                    ]),
                entitlementsNode,
                node(
                    "instance", "object", "the instance the context's kaiten.instanceSlug or kaiten.instanceId names", optional: true,
                    fields: [
                        node("id", "string", "id"), node("slug", "string", "slug"), node("name", "string", "name"),
                        node("status", "string", "status"),
                        node("lifecycleStage", "string", "lifecycle stage", optional: true), node("metadata", "map", "metadata"),
                    ]),
                node(
                    "customer", "object", "that instance's customer", optional: true,
                    fields: [
                        node("id", "string", "id"), node("name", "string", "name"), node("slug", "string", "slug"),
                        node("externalCustomerId", "string", "external id", optional: true), node("domain", "string", "domain", optional: true),
                    ]),
            ])
        return .object([
            "roots": .array([
                node("targetingKey", "string", "the evaluation's targeting key; splits bucket by it"),
                node("<attribute>", "dyn", "any other member of the evaluation context, by its name"),
                facts,
            ])
        ])
    }
}
