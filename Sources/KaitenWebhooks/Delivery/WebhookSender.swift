import AsyncHTTPClient
import Foundation
import KaitenCore
import Logging
import NIOCore
import NIOHTTP1

/// Makes one signed HTTP attempt of a delivery and reports what happened; never throws.
struct WebhookSender: Sendable {
    struct Request: Sendable {
        let endpointID: UUID
        let url: String
        let messageID: UUID
        let body: [UInt8]
        let secrets: [WebhookSecret]
    }

    struct Outcome: Sendable {
        enum Verdict: Sendable, Equatable {
            /// 2xx.
            case delivered
            /// 410 Gone: the receiver wants no more; the endpoint is disabled.
            case gone
            /// Any other status, a transport error, a timeout or a refused destination.
            case failed
        }

        let verdict: Verdict
        let statusCode: Int?
        let responseBody: String?
        let error: String?
        let duration: Duration
    }

    static let userAgent = "Kaiten-Webhooks/1.0"
    /// Past this many response bytes the rest is not read: the attempt fails and the connection is dropped.
    static let responseReadLimit = 1 << 20

    let resolver: AddressResolver
    let clients: PinnedHTTPClients
    let timeout: Duration
    let responseBodyLimit: Int

    func send(_ request: Request, logger: Logger) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        func outcome(_ verdict: Outcome.Verdict, status: Int? = nil, body: String? = nil, error: String? = nil) -> Outcome {
            Outcome(verdict: verdict, statusCode: status, responseBody: body, error: error, duration: clock.now - start)
        }
        guard case .success(let url) = WebhookURL.parse(request.url, allowPrivate: true) else {
            return outcome(.failed, error: "the endpoint URL is not valid")
        }
        let address: IPAddress
        do {
            address = try await resolver.resolve(url.host)
        } catch {
            return outcome(.failed, error: "\(error)")
        }
        let client = await clients.client(for: request.endpointID, host: url.host, address: address)
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "user-agent", value: Self.userAgent)
        let timestamp = Int(Date().timeIntervalSince1970)
        for (name, value) in WebhookSignature.headers(messageID: request.messageID.lowercased, timestamp: timestamp, body: request.body, secrets: request.secrets) {
            http.headers.add(name: name, value: value)
        }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await client.execute(http, deadline: .now() + .nanoseconds(Int64(timeout.seconds * 1e9)), logger: logger)
            var kept: [UInt8] = []
            var total = 0
            for try await chunk in response.body {
                total += chunk.readableBytes
                if kept.count < responseBodyLimit {
                    kept.append(contentsOf: chunk.readableBytesView.prefix(responseBodyLimit - kept.count))
                }
                if total > Self.responseReadLimit { break }
            }
            let status = Int(response.status.code)
            let body = Self.text(kept)
            switch status {
            case 200..<300: return outcome(.delivered, status: status, body: body)
            case 410: return outcome(.gone, status: status, body: body)
            default: return outcome(.failed, status: status, body: body)
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return outcome(.failed, error: "timed out after \(Self.describe(timeout))")
        } catch {
            return outcome(.failed, error: "\(error)")
        }
    }

    /// The kept bytes as text PostgreSQL can store: invalid UTF-8 replaced, NUL dropped.
    private static func text(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "")
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%g s", seconds)
    }
}
