import Hummingbird
import KaitenCore
import KaitenHTTP

/// Feature flags: their definitions, targeted with CEL rules.
public struct FeatureFlagsModule: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func registerRoutes(on router: OperationRouter) {
        GetFeatureFlags.register(on: router, module: self)
        CreateFeatureFlag.register(on: router, module: self)
        GetFeatureFlag.register(on: router, module: self)
        UpdateFeatureFlag.register(on: router, module: self)
        DeleteFeatureFlag.register(on: router, module: self)
    }

    /// The problems of one targeting rule; none when it may be stored.
    func lint(_ rule: String) -> [String] {
        rule.allSatisfy(\.isWhitespace) ? ["the rule is blank"] : []
    }
}
