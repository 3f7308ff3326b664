import Crypto
import Foundation

/// The bearer secrets Kaiten issues: `ksh_` organization tokens and `ksm_` platform credentials.
///
/// A secret is the prefix and 32 URL-safe base64 characters (24 random bytes). Only its SHA-256 digest is
/// stored. With 192 bits of entropy a fast digest is as safe as a slow password hash, and it lets a token
/// be found by an index lookup on every request.
package struct SecretToken: Sendable {
    package enum Kind: String, Sendable {
        case organization = "ksh_"
        case platform = "ksm_"
    }

    package let plaintext: String

    package static func generate(_ kind: Kind) -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return SecretToken(plaintext: kind.rawValue + base64URL(bytes))
    }

    package init(plaintext: String) {
        self.plaintext = plaintext
    }

    /// The lowercase hex SHA-256 of the whole plaintext, the only form a secret is stored in.
    package var digest: String {
        SHA256.hash(data: Data(plaintext.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    package var kind: Kind? {
        if plaintext.hasPrefix(Kind.organization.rawValue) { return .organization }
        if plaintext.hasPrefix(Kind.platform.rawValue) { return .platform }
        return nil
    }
}

/// URL-safe base64 without padding.
package func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// Decodes URL-safe base64 with or without padding.
package func decodeBase64URL(_ text: some StringProtocol) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    return Data(base64Encoded: base64)
}
