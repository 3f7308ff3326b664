/// A permission a credential carries, written `<action>:<module>` (`read:customers`, `write:*`).
///
/// Granting follows Kaiten's rules: an exact match grants; `write:*` grants everything, delete included;
/// `read:*` grants every read; `write:X` grants `read:X`; delete is never implied by `write:X`.
package struct Scope: Hashable, Sendable, CustomStringConvertible {
    package enum Action: String, Sendable, CaseIterable {
        case read, write, delete
    }

    package enum Module: String, Sendable, CaseIterable {
        case featureFlags = "feature_flags"
        case instances
        case licenses
        case entitlements
        case components
        case customers
        case deploymentZones = "deployment_zones"
        case metadataFields = "metadata_fields"
        case releases
        case users
        case organizations
        case tokens
        case webhooks
        case memberships
        case notifications

        /// Modules only Platform API operations enforce; an organization credential can never carry them.
        package var isPlatformOnly: Bool { self == .users || self == .memberships }
    }

    package let action: Action
    /// The module, or nil for the `*` wildcard.
    package let module: Module?

    package init(_ action: Action, _ module: Module?) {
        self.action = action
        self.module = module
    }

    package static func read(_ module: Module) -> Scope { Scope(.read, module) }
    package static func write(_ module: Module) -> Scope { Scope(.write, module) }
    package static func delete(_ module: Module) -> Scope { Scope(.delete, module) }
    package static let readAll = Scope(.read, nil)
    package static let writeAll = Scope(.write, nil)

    /// Parses `<action>:<module>` or `<action>:*`; nil for anything else.
    package init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let action = Action(rawValue: String(parts[0])) else { return nil }
        if parts[1] == "*" {
            self.init(action, nil)
        } else if let module = Module(rawValue: String(parts[1])) {
            self.init(action, module)
        } else {
            return nil
        }
    }

    package var description: String { "\(action.rawValue):\(module?.rawValue ?? "*")" }

    /// Whether holding this scope grants `required`.
    package func grants(_ required: Scope) -> Bool {
        if self == required { return true }
        switch (action, module) {
        case (.write, nil): return true
        case (.read, nil): return required.action == .read
        case (.write, let module?): return required.action == .read && required.module == module
        case (.read, _), (.delete, _): return false
        }
    }

    /// Whether an organization credential (a `ksh_` token or a user's JWT) may be issued this scope.
    package var isOrganizationScope: Bool {
        action != .delete && !(module?.isPlatformOnly ?? false)
    }

    /// Every scope an organization credential can carry, sorted, as published in `x-kaiten-scopes`.
    package static var organizationScopes: [Scope] {
        Module.allCases.filter { !$0.isPlatformOnly }.flatMap { [Scope.read($0), Scope.write($0)] }
            .sorted { $0.description < $1.description }
    }
}

extension Collection where Element == Scope {
    /// Whether any scope in the collection grants `required`.
    package func grants(_ required: Scope) -> Bool { contains { $0.grants(required) } }

    /// Whether every scope of `requested` is granted by this collection.
    package func grantsAll(_ requested: some Collection<Scope>) -> Bool { requested.allSatisfy(grants) }
}
