import KaitenCore

/// An evaluation that could not give a value: an OpenFeature error code with its details.
package struct OFREPError: Error, Sendable, Equatable {
    /// The OpenFeature error codes this server answers with.
    enum Code: String, Sendable {
        case flagNotFound = "FLAG_NOT_FOUND"
        case targetingKeyMissing = "TARGETING_KEY_MISSING"
        case invalidContext = "INVALID_CONTEXT"
        case parseError = "PARSE_ERROR"
    }

    let code: Code
    package let details: String

    init(_ code: Code, _ details: String) {
        self.code = code
        self.details = details
    }
}
