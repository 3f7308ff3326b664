import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore

/// The largest request body any operation accepts.
package enum RequestBodyLimit {
    package static let bytes = 1 << 20
}

extension Request {
    /// The body as JSON: 415 when it is declared as anything but JSON, 413 past ``RequestBodyLimit``, 400 when
    /// it cannot be read or is not JSON.
    package func jsonBody() async throws -> JSONValue {
        try requireJSONMediaType()
        let buffer = try await collectBody()
        guard buffer.readableBytes > 0 else {
            throw APIError.validation("Request.MissingBody", "this operation needs a JSON request body")
        }
        return try JSONValue.parse(buffer.readableBytesView)
    }

    /// The body as JSON when there is one, nil for an empty body (whatever its declared type): for operations
    /// whose body is optional.
    package func optionalJSONBody() async throws -> JSONValue? {
        let buffer = try await collectBody()
        guard buffer.readableBytes > 0 else { return nil }
        try requireJSONMediaType()
        return try JSONValue.parse(buffer.readableBytesView)
    }

    /// The whole body, up to ``RequestBodyLimit``: 413 past it, 400 when reading fails for any other reason.
    package func collectBody() async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: RequestBodyLimit.bytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // NIO's NIOTooManyBytesError, which Hummingbird reports as 413.
            throw APIError.bodyTooLarge
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unreadableBody
        }
    }

    /// Refuses (415) a body declared as anything but `application/json` or a `+json` type; parameters such as
    /// `charset` are allowed. A body with no `Content-Type` is read as JSON, as Kaiten's Go server reads it.
    package func requireJSONMediaType() throws {
        guard let value = headers[.contentType] else { return }
        guard JSONMediaType.accepts(value) else { throw APIError.unsupportedMediaType }
    }

    /// The page a list operation was asked for, from `limit` and `cursor`.
    package func pageRequest() throws -> PageRequest {
        try PageRequest(limit: uri.queryParameters["limit"].map(String.init), cursor: uri.queryParameters["cursor"].map(String.init))
    }
}

extension Parameters {
    /// A path parameter the route guarantees.
    package func path(_ name: String) throws -> String {
        try require(name)
    }

    /// A path parameter the route guarantees, percent-decoded: for names chosen outside Kaiten (a third-party
    /// record id, an adapter), which may hold characters a client must escape in a path.
    package func decodedPath(_ name: String) throws -> String {
        let raw = try require(name)
        return raw.removingPercentEncoding ?? raw
    }
}

/// Which `Content-Type` values declare a JSON body.
package enum JSONMediaType {
    /// `application/json` or `application/<anything>+json`, in any case, with or without parameters.
    package static func accepts(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let mediaType = essence.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "application" else { return false }
        return parts[1] == "json" || (parts[1].hasSuffix("+json") && parts[1].count > "+json".count)
    }
}

/// Responses with a JSON body, encoded the one way Kaiten encodes everything.
package enum JSONResponse {
    package static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try WireJSON.encode(value))))
    }

    package static var noContent: Response { Response(status: .noContent) }
}
