import Crypto
import Foundation

/// The Svix / Standard Webhooks v1 signature: base64 HMAC-SHA256 of `id.timestamp.body`, sent as `v1,<sig>`.
package enum WebhookSignature {
    /// One `v1,` signature of a message.
    package static func sign(messageID: String, timestamp: Int, body: [UInt8], secret: WebhookSecret) -> String {
        var content = Array("\(messageID).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The signature header: one signature per secret, space-separated, so a receiver holding either the new
    /// or the rotated-out secret accepts the delivery.
    package static func header(messageID: String, timestamp: Int, body: [UInt8], secrets: [WebhookSecret]) -> String {
        secrets.map { sign(messageID: messageID, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// The headers of a signed delivery, under both the Svix and the Standard Webhooks names.
    package static func headers(messageID: String, timestamp: Int, body: [UInt8], secrets: [WebhookSecret]) -> [(String, String)] {
        let signature = header(messageID: messageID, timestamp: timestamp, body: body, secrets: secrets)
        return [
            ("svix-id", messageID), ("svix-timestamp", String(timestamp)), ("svix-signature", signature),
            ("webhook-id", messageID), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature),
        ]
    }
}
