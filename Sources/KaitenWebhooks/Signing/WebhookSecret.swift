import Foundation

/// An endpoint's signing secret in Svix's form: `whsec_` and the standard base64 of the HMAC key.
///
/// Receivers strip the prefix and base64-decode the rest, so any key of 24 to 64 bytes works with every
/// Svix and Standard Webhooks verifier; generated keys are 32 bytes, SHA-256's block-friendly size.
package struct WebhookSecret: Sendable, Equatable {
    package static let prefix = "whsec_"
    package static let keyLengths = 24...64

    package let text: String
    package let key: [UInt8]

    package static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return WebhookSecret(text: prefix + Data(key).base64EncodedString(), key: key)
    }

    /// Parses a secret a client supplied, or one read back from storage; nil unless it is in `whsec_` form
    /// with a 24–64-byte key.
    package init?(_ text: String) {
        guard text.hasPrefix(Self.prefix),
            let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
            Self.keyLengths.contains(data.count)
        else { return nil }
        self.init(text: text, key: Array(data))
    }

    private init(text: String, key: [UInt8]) {
        self.text = text
        self.key = key
    }
}
