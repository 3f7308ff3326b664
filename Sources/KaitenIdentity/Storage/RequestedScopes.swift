import KaitenCore

/// The scopes a new organization credential asks for, checked the same way wherever one is issued.
enum RequestedScopes {
    /// Parses the scopes: each must be an organization scope (read or write of a module other than users
    /// and memberships, or a wildcard), else 400 with `invalidCode`. Duplicates are dropped, order kept.
    static func parse(_ texts: [String], invalidCode: String) throws -> [Scope] {
        var scopes: [Scope] = []
        var invalid: [String] = []
        for text in texts {
            guard let scope = Scope(parsing: text), scope.isOrganizationScope else {
                invalid.append(text)
                continue
            }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        guard invalid.isEmpty else {
            let valid = Scope.organizationScopes.map(\.description) + ["read:*", "write:*"]
            throw APIError.validation(
                invalidCode,
                "invalid scopes: \(invalid.joined(separator: ", ")); an organization credential can carry \(valid.joined(separator: ", "))",
                errors: invalid.map { ErrorDetail(message: "unknown or platform-only scope", location: "body.scopes", value: .string($0)) }
            )
        }
        return scopes
    }
}
