import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import Logging

/// Renders every failure as an RFC 9457 problem (`application/problem+json`).
///
/// An ``APIError`` keeps its status, code and detail. A request no route takes is a 405 with `Allow` when the
/// listener's ``OperationCatalog`` serves its path under other methods, else a 404 naming the method and path
/// (so a client can tell a missing route from a missing record). Hummingbird's other refusals get the code of
/// their status class. Anything else is an internal failure: the client sees a generic 500 and the `errorId`
/// under which the real cause was logged. Every problem carries a fresh `errorId`, so any error a client
/// reports can be found in the logs.
package struct ProblemMiddleware: RouterMiddleware {
    package typealias Context = KaitenRequestContext

    let catalog: OperationCatalog
    /// Where the catalog's paths are mounted (`/api`).
    let basePath: String

    package init(catalog: OperationCatalog, basePath: String = "/api") {
        self.catalog = catalog
        self.basePath = basePath
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let errorID = UUID().lowercased
            if let error = error as? HTTPError, error.status == .notFound {
                return unrouted(request, errorID: errorID, context: context)
            }
            let apiError = Self.apiError(for: error)
            if apiError.kind == .internalFailure {
                context.logger.error(
                    "request failed",
                    metadata: ["kaiten.error_id": "\(errorID)", "kaiten.error": "\(String(reflecting: error))"]
                )
            } else {
                context.logger.info(
                    "request refused",
                    metadata: ["kaiten.error_id": "\(errorID)", "kaiten.code": "\(apiError.code)", "kaiten.status": "\(apiError.status)"]
                )
            }
            return Problem(apiError, instance: request.uri.path, errorID: errorID).response()
        }
    }

    /// The answer to a request no route took.
    func unrouted(_ request: Request, errorID: String, context: Context) -> Response {
        let path = request.uri.path
        let methods = path.hasPrefix(basePath) ? catalog.methods(servingPath: path.dropFirst(basePath.count)) : []
        let apiError: APIError
        if methods.isEmpty {
            apiError = .notFound("NOT_FOUND", "no route for \(request.method) \(path)")
        } else {
            apiError = APIError(.methodNotAllowed, code: "METHOD_NOT_ALLOWED", detail: "\(path) does not answer \(request.method)")
        }
        context.logger.info("request refused", metadata: ["kaiten.error_id": "\(errorID)", "kaiten.code": "\(apiError.code)"])
        var response = Problem(apiError, instance: path, errorID: errorID).response()
        if !methods.isEmpty {
            response.headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
        }
        return response
    }

    package static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error where PostgresFailure.isUnavailability(error):
            return .databaseUnavailable
        case let error where PostgresFailure(error)?.isDataException == true:
            // A value PostgreSQL cannot store (a NUL inside JSON, an out-of-range number) came from the
            // client; the write was refused as a whole.
            return .validation("Request.InvalidData", "the request contains a value that cannot be stored")
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return .bodyTooLarge
            case .unsupportedMediaType: return .unsupportedMediaType
            case .unauthorized: return .unauthorized("UNAUTHORIZED", error.body ?? "unauthorized")
            default:
                if (400..<500).contains(error.status.code) {
                    return .validation("BAD_REQUEST", error.body ?? error.status.reasonPhrase)
                }
                return .internalFailure
            }
        default:
            return .internalFailure
        }
    }
}

extension APIError {
    package static let internalFailure = APIError(.internalFailure, code: "INTERNAL", detail: "An unexpected error occurred")
    /// PostgreSQL is out of reach or cannot take the write (see ``PostgresFailure/isUnavailability(_:)``): the
    /// client may retry. A write whose commit was cut off may have landed, which the retry then finds (a slug
    /// taken, a usage report's `transactionId` replayed).
    package static let databaseUnavailable = APIError(
        .unavailable, code: "Database.Unavailable", detail: "The database is unavailable. Please retry shortly.")
    package static let bodyTooLarge = APIError(
        .contentTooLarge, code: "Request.BodyTooLarge", detail: "the request body exceeds \(RequestBodyLimit.bytes) bytes")
    package static let unsupportedMediaType = APIError(
        .unsupportedMediaType,
        code: "Request.UnsupportedMediaType",
        detail: "the request body must be JSON: Content-Type application/json or another +json type"
    )
    /// The body could not be read for a reason other than its size (the connection broke, a malformed chunk).
    package static let unreadableBody = APIError.validation("Request.UnreadableBody", "the request body could not be read")
}

/// The RFC 9457 document.
struct Problem: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let instance: String
    let code: String
    let errorId: String
    let errors: [ErrorDetail]?

    init(_ error: APIError, instance: String, errorID: String) {
        type = Self.typeURI(error.status)
        title = Self.reasonPhrase(error.status)
        self.status = error.status
        detail = error.detail
        self.instance = instance
        code = error.code
        errorId = errorID
        errors = error.errors.isEmpty ? nil : error.errors
    }

    func response() -> Response {
        let body = (try? WireJSON.encode(self)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == 415 {
            // RFC 9110 §15.5.16: say which media type would have been accepted.
            headers[.accept] = "application/json"
        }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 503: "Service Unavailable"
        default: "Internal Server Error"
        }
    }

    /// The RFC section each status class links to, as Kaiten's problems do.
    static func typeURI(_ status: Int) -> String {
        switch status {
        case 400: "https://tools.ietf.org/html/rfc7231#section-6.5.1"
        case 401: "https://tools.ietf.org/html/rfc7235#section-3.1"
        case 403: "https://tools.ietf.org/html/rfc7231#section-6.5.3"
        case 404: "https://tools.ietf.org/html/rfc7231#section-6.5.4"
        case 405: "https://tools.ietf.org/html/rfc7231#section-6.5.5"
        case 409: "https://tools.ietf.org/html/rfc7231#section-6.5.8"
        case 413: "https://tools.ietf.org/html/rfc9110#section-15.5.14"
        case 415: "https://tools.ietf.org/html/rfc9110#section-15.5.16"
        case 422: "https://tools.ietf.org/html/rfc4918#section-11.2"
        case 503: "https://tools.ietf.org/html/rfc7231#section-6.6.4"
        default: "https://tools.ietf.org/html/rfc7231#section-6.6.1"
        }
    }
}
