import Foundation

/// An error a client is meant to see: an HTTP status class, a stable machine code and a message.
///
/// The code (`CreateCustomer.SlugConflict`, `Auth.MissingScope`, …) is the contract: clients branch on it,
/// so it never changes for the same condition. The detail is written for people and never carries an
/// internal cause; those are logged under the problem's `errorId` instead.
package struct APIError: Error, Sendable, Equatable {
    package enum Kind: Int, Sendable {
        case validation = 400
        case unauthorized = 401
        case forbidden = 403
        case notFound = 404
        case methodNotAllowed = 405
        case conflict = 409
        case contentTooLarge = 413
        case unsupportedMediaType = 415
        case unprocessable = 422
        case internalFailure = 500
        case unavailable = 503
    }

    package let kind: Kind
    package let code: String
    package let detail: String
    package let errors: [ErrorDetail]

    package init(_ kind: Kind, code: String, detail: String, errors: [ErrorDetail] = []) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.errors = errors
    }

    package var status: Int { kind.rawValue }

    package static func validation(_ code: String, _ detail: String, errors: [ErrorDetail] = []) -> APIError {
        APIError(.validation, code: code, detail: detail, errors: errors)
    }
    package static func unauthorized(_ code: String, _ detail: String) -> APIError { APIError(.unauthorized, code: code, detail: detail) }
    package static func forbidden(_ code: String, _ detail: String) -> APIError { APIError(.forbidden, code: code, detail: detail) }
    package static func notFound(_ code: String, _ detail: String) -> APIError { APIError(.notFound, code: code, detail: detail) }
    package static func conflict(_ code: String, _ detail: String) -> APIError { APIError(.conflict, code: code, detail: detail) }
    package static func unprocessable(_ code: String, _ detail: String, errors: [ErrorDetail] = []) -> APIError {
        APIError(.unprocessable, code: code, detail: detail, errors: errors)
    }

    /// A request body or parameter that fails the operation's schema: 422 `UNPROCESSABLE` with one entry per
    /// offending location, as Kaiten reports schema validation.
    package static func schemaViolations(_ errors: [ErrorDetail]) -> APIError {
        APIError(.unprocessable, code: "UNPROCESSABLE", detail: "validation failed", errors: errors.sorted { $0.location < $1.location })
    }

    package static func missingScope(_ scope: Scope) -> APIError {
        .forbidden("Auth.MissingScope", "missing required scope: \(scope)")
    }

    /// The operation does not accept the class of credential that authenticated the request.
    package static let wrongCredentialKind = APIError.forbidden(
        "Auth.WrongCredentialKind",
        "this operation does not accept the credential class used to authenticate"
    )
}

/// One offending location inside a problem: `body.name`, `query.limit`, `path.customerSlug`.
package struct ErrorDetail: Codable, Sendable, Equatable {
    package let message: String
    package let location: String
    package let value: JSONValue?

    package init(message: String, location: String, value: JSONValue? = nil) {
        self.message = message
        self.location = location
        self.value = value
    }
}
