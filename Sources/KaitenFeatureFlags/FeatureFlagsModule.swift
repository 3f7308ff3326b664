import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// Feature flags: their definitions, targeted with CEL rules and evaluated over OFREP.
package struct FeatureFlagsModule: Sendable {
    let database: Database
    /// Where evaluations queue their FEATURE_FLAG_EVALUATED events; a service the process runs.
    package let evaluationEvents: EvaluationEvents
    /// The instant a date rollout is evaluated at.
    let now: @Sendable () -> Date
    let compiledFlags = CompiledFlagsCache()

    package init(database: Database, evaluationEvents: EvaluationEvents, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.evaluationEvents = evaluationEvents
        self.now = now
    }

    package func registerRoutes(on router: OperationRouter) {
        GetFeatureFlags.register(on: router, module: self)
        CreateFeatureFlag.register(on: router, module: self)
        GetTargetingContext.register(on: router, module: self)
        LintTargetingRule.register(on: router, module: self)
        TestTargetingRule.register(on: router, module: self)
        GetFeatureFlag.register(on: router, module: self)
        UpdateFeatureFlag.register(on: router, module: self)
        DeleteFeatureFlag.register(on: router, module: self)
        GetOpenfeatureManifest.register(on: router, module: self)
        registerOFREPRoutes(on: router)
    }

    /// The two OFREP evaluations. Besides their place under `/api`, they are served at the root as well: the
    /// OpenFeature provider appends `ofrep/v1/` to the base URL it is given, and Kaiten's SDKs are given the
    /// server's origin.
    package func registerOFREPRoutes(on router: OperationRouter) {
        EvaluateFlagsBulk.register(on: router, module: self)
        EvaluateFlag.register(on: router, module: self)
    }

    /// The organization's entitlement slugs, which `__kaiten.entitlements.<slug>` may name.
    func entitlementSlugs(of organizationID: UUID) async throws -> Set<String> {
        Set(
            try await database.all(
                "SELECT slug FROM entitlement WHERE organization_id = \(organizationID)", as: String.self, logger: database.logger))
    }

    /// Checks a definition's cross-member rules and lints each of its targeting rules.
    func validate(_ definition: FlagDefinition, organizationID: UUID) async throws {
        let slugs = try await entitlementSlugs(of: organizationID)
        try definition.validate { rule in
            TargetingRules.lint(rule, entitlementSlugs: slugs).map { "\($0.line):\($0.column): \($0.message)" }
        }
    }
}
