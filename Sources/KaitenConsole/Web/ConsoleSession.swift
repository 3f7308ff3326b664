import Crypto
import Foundation
import Hummingbird
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// The signed-in browser behind a console request: the caller its session stands for and the CSRF token
/// every form of the session carries.
struct ConsoleSession: Sendable {
    let caller: OrganizationCaller
    /// Derived from the session's secret, so it needs no storage and no other session can produce it.
    let csrfToken: String

    init(caller: OrganizationCaller, secret: String) {
        self.caller = caller
        csrfToken = Self.csrfToken(secret: secret)
    }

    /// Refuses a form whose CSRF token is not this session's: a forged or replayed post from another page or
    /// another session writes nothing.
    func verify(_ form: FormBody) throws {
        guard let sent = form["csrf"], Self.constantTimeEqual(Array(sent.utf8), Array(csrfToken.utf8)) else {
            throw APIError.forbidden(
                "Console.InvalidCSRFToken", "This form has expired or did not come from this console. Reload the page and try again.")
        }
    }

    static func csrfToken(secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        return base64URL(HMAC<SHA256>.authenticationCode(for: Data("kaiten-console-csrf".utf8), using: key))
    }

    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The console's cookies: the session, the sign-in form's nonce and the one-shot notice shown after a write.
struct ConsoleCookies: Sendable {
    static let session = "kaiten_console_session"
    static let signInNonce = "kaiten_console_sign_in"
    static let notice = "kaiten_console_notice"
    static let path = "/console"

    /// Whether cookies are sent only over HTTPS; off for `kaiten dev` on loopback HTTP.
    let secure: Bool

    func session(_ opened: BrowserSessions.Opened) -> Cookie {
        let maxAge = max(0, Int(opened.expiresAt.timeIntervalSinceNow))
        return cookie(Self.session, opened.secret, maxAge: maxAge)
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: Self.path, secure: secure, httpOnly: true, sameSite: .lax)
    }

    func expired(_ name: String) -> Cookie {
        cookie(name, "", maxAge: 0)
    }

    /// A notice to show on the next page, such as "Customer created".
    func notice(_ text: String) -> Cookie {
        cookie(Self.notice, base64URL(Array(text.utf8)), maxAge: 60)
    }

    static func notice(of request: Request) -> String? {
        guard let value = request.cookies[notice]?.value, !value.isEmpty, let data = decodeBase64URL(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
