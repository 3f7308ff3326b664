import Crypto
import Foundation
import KaitenCore

/// Verifies identity-provider JWTs signed with HS256 and reads Kaiten's claim contract.
///
/// Kaiten's Go server trusts a gateway to have checked signatures; this server checks them itself, so it
/// is safe to expose without one. Required claims: `sub`, `kaiten_external_org_id`, `scopes` (strings);
/// optional: `email`, `name`, `kaiten_org_name`, and `exp`/`nbf`, which are enforced when present.
package struct JWTVerifier: Sendable {
    package struct Claims: Sendable, Equatable {
        package let subject: String
        package let externalOrganizationID: String
        package let scopes: [String]
        package let email: String?
        package let name: String?
        package let organizationName: String?
    }

    private let secret: Data

    package init(secret: String) {
        self.secret = Data(secret.utf8)
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    package func verify(_ token: String, now: Date = Date()) throws -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = decodeBase64URL(parts[0]),
            case .object(let header)? = try? JSONValue.parse(headerData),
            let payloadData = decodeBase64URL(parts[1]),
            let signature = decodeBase64URL(parts[2])
        else { throw APIError.unauthorized("Auth.InvalidToken", "the bearer token is not a valid JWT") }
        guard header["alg"] == .string("HS256") else {
            throw APIError.unauthorized("Auth.InvalidToken", "only HS256-signed JWTs are accepted")
        }
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) else {
            throw APIError.unauthorized("Auth.InvalidToken", "the JWT signature does not verify")
        }
        guard case .object(let claims)? = try? JSONValue.parse(payloadData) else {
            throw APIError.unauthorized("Auth.InvalidClaims", "the JWT claims are not a JSON object")
        }
        if let expiry = claims["exp"]?.doubleValue, Date(timeIntervalSince1970: expiry) <= now {
            throw APIError.unauthorized("Auth.InvalidToken", "the JWT has expired")
        }
        if let notBefore = claims["nbf"]?.doubleValue, Date(timeIntervalSince1970: notBefore) > now {
            throw APIError.unauthorized("Auth.InvalidToken", "the JWT is not valid yet")
        }
        guard case .string(let subject)? = claims["sub"], case .string(let organization)? = claims["kaiten_external_org_id"],
            case .array(let scopeValues)? = claims["scopes"]
        else {
            throw APIError.unauthorized("Auth.MissingClaims", "Missing required JWT claims (sub|kaiten_external_org_id|scopes)")
        }
        var scopes: [String] = []
        for value in scopeValues {
            guard case .string(let scope) = value else { throw APIError.unauthorized("Auth.InvalidScopes", "every JWT scope must be a string") }
            scopes.append(scope)
        }
        func optional(_ key: String) -> String? {
            if case .string(let value)? = claims[key], !value.isEmpty { return value }
            return nil
        }
        return Claims(
            subject: subject,
            externalOrganizationID: organization,
            scopes: scopes,
            email: optional("email"),
            name: optional("name"),
            organizationName: optional("kaiten_org_name")
        )
    }

    /// Signs claims with this verifier's key; for development tokens and tests.
    package func sign(_ claims: [String: JSONValue]) -> String {
        let header = base64URL(Array(JSONValue.object(["alg": .string("HS256"), "typ": .string("JWT")]).jsonText.utf8))
        let payload = base64URL(Array(JSONValue.object(claims).jsonText.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: key)
        return "\(header).\(payload).\(base64URL(signature))"
    }
}
