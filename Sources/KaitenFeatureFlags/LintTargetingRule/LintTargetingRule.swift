import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /feature-flags/targeting/lint`: what is wrong with a rule, for an editor that checks as the author
/// types. A rule with issues is still a 200, with `valid: false`.
package enum LintTargetingRule {
    static let operation = APIOperation("lint-targeting-rule", .post, "/feature-flags/targeting/lint")
    static let requiredScope = Scope.write(.featureFlags)

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            var reader = JSONObjectReader(try await request.jsonBody())
            let rule = reader.string("rule", required: true, maxLength: 10_000)
            try reader.finish()
            let issues = try await module.lint(rule ?? "", caller: try context.organizationCaller())
            return try JSONResponse.make(JSONValue.object(["valid": .bool(issues.isEmpty), "issues": .array(issues.map(\.json))]))
        }
    }
}

extension FeatureFlagsModule {
    package func lint(_ rule: String, caller: OrganizationCaller) async throws -> [TargetingRules.Issue] {
        try caller.require(LintTargetingRule.requiredScope)
        return TargetingRules.lint(rule, entitlementSlugs: try await entitlementSlugs(of: caller.organizationID))
    }
}
