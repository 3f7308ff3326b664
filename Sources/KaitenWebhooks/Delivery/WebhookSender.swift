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
        /// The raw value is the `outcome` label of the attempt's metrics.
        enum Verdict: String, Sendable, Equatable {
            /// 2xx.
            case delivered
            /// 410 Gone: the receiver wants no more; the endpoint is disabled.
            case gone
            /// A failure answered with `webhook-delivery: abort-message` (Svix's convention): the receiver wants
            /// no retries of this message, and the endpoint is otherwise fine.
            case aborted
            /// Any other status, a transport error, a timeout or a refused destination.
            case failed
        }

        let verdict: Verdict
        let statusCode: Int?
        let responseBody: String?
        let error: String?
        let duration: Duration
        /// The receiver's `Retry-After`, on a failed answer.
        var retryAfter: Duration? = nil
        /// A 429 or a timeout: the receiver is overwhelmed, and the next attempt waits at least the overload delay.
        var overloaded = false
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
        func outcome(
            _ verdict: Outcome.Verdict, status: Int? = nil, body: String? = nil, error: String? = nil, retryAfter: Duration? = nil,
            overloaded: Bool = false
        ) -> Outcome {
            Outcome(
                verdict: verdict, statusCode: status, responseBody: body, error: error, duration: clock.now - start, retryAfter: retryAfter,
                overloaded: overloaded
            )
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
        for (name, value) in WebhookSignature.headers(
            messageID: request.messageID.lowercased, timestamp: timestamp, body: request.body, secrets: request.secrets)
        {
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
            case _ where response.headers.first(name: "webhook-delivery")?.lowercased() == "abort-message":
                return outcome(.aborted, status: status, body: body, error: "the receiver asked for no retries (webhook-delivery: abort-message)")
            default:
                let retryAfter = response.headers.first(name: "retry-after").flatMap { Self.retryAfter($0, now: Date()) }
                return outcome(.failed, status: status, body: body, retryAfter: retryAfter, overloaded: status == 429)
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return outcome(.failed, error: "timed out after \(Self.describe(timeout))", overloaded: true)
        } catch {
            return outcome(.failed, error: "\(error)")
        }
    }

    /// A `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP date in IMF-fixdate form
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form a sender may generate); nil when it is neither.
    static func retryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT", parts[1].count == 2,
            let month = months.firstIndex(of: String(parts[2])),
            let date = Timestamp.parse("\(parts[3])-\(month < 9 ? "0" : "")\(month + 1)-\(parts[1])T\(parts[4])Z")
        else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
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
