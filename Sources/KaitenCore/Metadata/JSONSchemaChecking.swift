/// Checks a JSON value against a JSON Schema 2020-12 document: connector settings against the schema their
/// connector registered.
///
/// Declared here, in the kernel, because the connectors module consumes it and the metadata-fields module,
/// which holds the validator, provides it; `KaitenApp` hands the implementation over.
package protocol JSONSchemaChecking: Sendable {
    /// Every way `value` fails `schema`, each located under `location` (`body.settings.apiKey`); empty when it
    /// passes, and nil when `schema` is not a document this server can apply.
    func violations(of value: JSONValue, against schema: [String: JSONValue], location: String) -> [ErrorDetail]?
}
