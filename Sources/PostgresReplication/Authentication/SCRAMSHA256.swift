import Crypto
import Foundation

/// The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, as PostgreSQL runs it over SASL.
///
/// A pure value: the nonce comes in from outside, so the exchange is deterministic under test. The password is
/// used as its UTF-8 bytes without SASLprep, which is the identity for ASCII passwords.
package struct SCRAMSHA256: Sendable {
    package static let mechanism = "SCRAM-SHA-256"
    /// `n,,`: no channel binding, no authorization identity.
    private static let gs2Header = "n,,"

    private enum State: Sendable {
        /// The client-first message is out; the server's first message is awaited.
        case awaitingServerFirst
        /// The client-final message is out; the server must prove it knows the password too.
        case awaitingServerFinal(expectedSignature: [UInt8])
        /// The server's signature checked out.
        case authenticated
    }

    private let password: String
    private let clientNonce: String
    private let clientFirstMessageBare: String
    private var state: State = .awaitingServerFirst

    /// - Parameters:
    ///   - username: Sent in the client-first message; PostgreSQL ignores it and uses the startup user, so it sends "".
    ///   - clientNonce: Printable ASCII without commas, e.g. from ``makeNonce()``.
    package init(username: String, password: String, clientNonce: String) {
        self.password = password
        self.clientNonce = clientNonce
        let escaped = username.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        self.clientFirstMessageBare = "n=\(escaped),r=\(clientNonce)"
    }

    /// A fresh random nonce: 18 random bytes in base64.
    package static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<18).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    package var clientFirstMessage: [UInt8] {
        Array((Self.gs2Header + clientFirstMessageBare).utf8)
    }

    /// Reads `r=…,s=…,i=…` and returns the client-final message with the proof.
    package mutating func receiveServerFirst(_ message: [UInt8]) throws(ReplicationError) -> [UInt8] {
        guard case .awaitingServerFirst = state else { throw .authenticationFailed("unexpected SCRAM server-first message") }
        guard let serverFirst = String(bytes: message, encoding: .utf8) else { throw .authenticationFailed("server-first message is not UTF-8") }
        let attributes = Self.attributes(serverFirst)
        guard let nonce = attributes["r"], let saltText = attributes["s"], let salt = Data(base64Encoded: saltText),
            let iterationText = attributes["i"], let iterations = Int(iterationText), iterations > 0
        else { throw .authenticationFailed("malformed server-first message") }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw .authenticationFailed("the server's nonce does not extend the client's")
        }
        let saltedPassword = Self.hi(password: Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = Self.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let channelBinding = Data(Self.gs2Header.utf8).base64EncodedString()
        let clientFinalWithoutProof = "c=\(channelBinding),r=\(nonce)"
        let authMessage = Array("\(clientFirstMessageBare),\(serverFirst),\(clientFinalWithoutProof)".utf8)
        let clientSignature = Self.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = Self.hmac(key: saltedPassword, Array("Server Key".utf8))
        state = .awaitingServerFinal(expectedSignature: Self.hmac(key: serverKey, authMessage))
        return Array("\(clientFinalWithoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    /// Checks the server's signature (`v=…`); a server that cannot produce it does not know the password.
    package mutating func receiveServerFinal(_ message: [UInt8]) throws(ReplicationError) {
        guard case .awaitingServerFinal(let expected) = state else { throw .authenticationFailed("unexpected SCRAM server-final message") }
        let attributes = Self.attributes(String(decoding: message, as: UTF8.self))
        if let error = attributes["e"] { throw .authenticationFailed("server rejected the proof: \(error)") }
        guard let signature = attributes["v"].flatMap({ Data(base64Encoded: $0) }), Array(signature) == expected else {
            throw .authenticationFailed("the server's signature does not match")
        }
        state = .authenticated
    }

    package var isAuthenticated: Bool {
        switch state {
        case .authenticated: true
        case .awaitingServerFirst, .awaitingServerFinal: false
        }
    }

    /// Splits `a=x,b=y` into attributes; values may themselves contain `=`.
    private static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",") {
            guard let equals = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: equals) == 1 else { continue }
            result[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        return result
    }

    private static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    /// RFC 5802's Hi(): PBKDF2 with HMAC-SHA-256 and one output block.
    private static func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<iterations {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in result.indices {
                result[index] ^= block[index]
            }
        }
        return result
    }
}
