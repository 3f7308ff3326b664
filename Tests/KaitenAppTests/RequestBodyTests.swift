import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenHTTP
import NIOCore
import Testing

/// How a request body is read: declared as JSON or refused (415), within the limit or refused (413), and any
/// other failure to read it a 400.
@Suite struct RequestBodyTests {
    private struct BrokenConnection: Error {}

    /// A body whose stream fails after its first chunk, as a connection reset mid-upload does.
    private struct FailingBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        struct AsyncIterator: AsyncIteratorProtocol {
            var sent = false
            mutating func next() async throws -> ByteBuffer? {
                if sent { throw BrokenConnection() }
                sent = true
                return ByteBuffer(string: "{\"name\":")
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
    }

    private func request(_ body: RequestBody, contentType: String? = "application/json") -> Request {
        var head = HTTPRequest(method: .post, scheme: "http", authority: "kaiten.test", path: "/api/customers")
        if let contentType { head.headerFields[.contentType] = contentType }
        return Request(head: head, body: body)
    }

    @Test func aBodyThatFailsToArriveIs400NotTooLarge() async throws {
        await #expect(throws: APIError.unreadableBody) { try await request(RequestBody(asyncSequence: FailingBody())).jsonBody() }
        #expect(APIError.unreadableBody.status == 400)
    }

    @Test func onlyABodyPastTheLimitIs413() async throws {
        let oversized = ByteBuffer(repeating: UInt8(ascii: " "), count: RequestBodyLimit.bytes + 1)
        await #expect(throws: APIError.bodyTooLarge) { try await request(RequestBody(buffer: oversized)).jsonBody() }
        let json = try await request(RequestBody(buffer: ByteBuffer(string: "{\"a\":1}"))).jsonBody()
        #expect(json == .object(["a": .integer(1)]))
    }

    @Test func aBodyDeclaredAsAnythingButJSONIs415() async throws {
        for contentType in ["text/plain", "application/octet-stream", "text/json", "application/jsonp", "application/+json", ""] {
            await #expect(throws: APIError.unsupportedMediaType, "\(contentType)") {
                try await request(RequestBody(buffer: ByteBuffer(string: "{}")), contentType: contentType).jsonBody()
            }
        }
        #expect(APIError.unsupportedMediaType.status == 415)
        for contentType in ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json", nil] {
            let json = try await request(RequestBody(buffer: ByteBuffer(string: "{}")), contentType: contentType).jsonBody()
            #expect(json == .object([:]), "\(contentType ?? "none")")
        }
    }

    @Test func anOptionalBodyThatIsEmptyNeedsNoMediaType() async throws {
        #expect(try await request(RequestBody(buffer: ByteBuffer()), contentType: "text/plain").optionalJSONBody() == nil)
        await #expect(throws: APIError.unsupportedMediaType) {
            try await request(RequestBody(buffer: ByteBuffer(string: "{}")), contentType: "text/plain").optionalJSONBody()
        }
    }
}
