import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore

/// The largest request body any operation accepts.
public enum RequestBodyLimit {
    public static let bytes = 1 << 20
}

extension Request {
    /// The body as JSON: 413 past ``RequestBodyLimit``, 400 when it is not JSON.
    public func jsonBody() async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: RequestBodyLimit.bytes)
        } catch {
            throw APIError.bodyTooLarge
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.validation("Request.MissingBody", "this operation needs a JSON request body")
        }
        return try JSONValue.parse(buffer.readableBytesView)
    }

    /// The page a list operation was asked for, from `limit` and `cursor`.
    public func pageRequest() throws -> PageRequest {
        try PageRequest(limit: uri.queryParameters["limit"].map(String.init), cursor: uri.queryParameters["cursor"].map(String.init))
    }
}

extension Parameters {
    /// A path parameter the route guarantees.
    public func path(_ name: String) throws -> String {
        try require(name)
    }
}

/// Responses with a JSON body, encoded the one way Kaiten encodes everything.
public enum JSONResponse {
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try WireJSON.encode(value))))
    }

    public static var noContent: Response { Response(status: .noContent) }
}
