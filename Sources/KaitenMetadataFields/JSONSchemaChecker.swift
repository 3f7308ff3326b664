import KaitenCore

/// The validator behind metadata fields, lent to other modules through the kernel's ``JSONSchemaChecking``.
package struct JSONSchemaChecker: JSONSchemaChecking {
    package init() {}

    package func violations(of value: JSONValue, against schema: [String: JSONValue], location: String) -> [ErrorDetail]? {
        guard let compiled = try? JSONSchema.compileStored(schema, key: location) else { return nil }
        return compiled.violations(of: value).map { ErrorDetail(message: $0.message, location: location + $0.path, value: nil) }
    }
}
