import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection of a load generator, sending one request at a time.
struct KeepAliveClient {
    struct Answer {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: ByteBuffer
    }

    let host: String
    let port: Int

    init(endpoint: String) throws {
        guard let url = URLComponents(string: endpoint), let host = url.host, let port = url.port else {
            throw BenchmarkError.unexpectedResponse("endpoint \(endpoint)")
        }
        self.host = host
        self.port = port
    }

    /// Opens the connection on `group` and runs `body` with a function that sends one request and reads its
    /// answer; the connection closes when `body` returns.
    func withConnection<Result: Sendable>(
        on group: any EventLoopGroup,
        _ body: (_ send: (HTTPRequestHead, ByteBuffer?) async throws -> Answer) async throws -> Result
    ) async throws -> Result {
        let connection = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        let host = host
        let port = port
        return try await connection.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            return try await body { head, requestBody in
                var head = head
                head.headers.replaceOrAdd(name: "Host", value: "\(host):\(port)")
                head.headers.replaceOrAdd(name: "Content-Length", value: "\(requestBody?.readableBytes ?? 0)")
                var parts: [HTTPClientRequestPart] = [.head(head)]
                if let requestBody { parts.append(.body(.byteBuffer(requestBody))) }
                parts.append(.end(nil))
                try await outbound.write(contentsOf: parts)
                var status = HTTPResponseStatus.internalServerError
                var headers = HTTPHeaders()
                var received = ByteBuffer()
                loop: while let part = try await responses.next() {
                    switch part {
                    case .head(let response):
                        status = response.status
                        headers = response.headers
                    case .body(var chunk): received.writeBuffer(&chunk)
                    case .end: break loop
                    }
                }
                return Answer(status: status, headers: headers, body: received)
            }
        }
    }
}
