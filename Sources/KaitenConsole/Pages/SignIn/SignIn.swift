import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import KaitenIdentity
import PostgresNIO

/// Signing in and out: with an organization token or an identity-provider JWT pasted into the form, or with
/// a one-time link (`kaiten dev` prints one).
struct SignIn {
    let authenticator: Authenticator
    let sessions: BrowserSessions
    let renderer: PageRenderer
    let cookies: ConsoleCookies

    func register(on routes: ConsoleRoutes) {
        let gate = routes.gate
        routes.group.get("sign-in") { request, context in
            if try await gate.session(of: request) != nil {
                return PageRenderer.redirect(to: Self.next(request.uri.queryParameters["next"].map(String.init)))
            }
            return form(request: request, error: nil, status: .ok)
        }
        routes.group.post("sign-in") { request, context in
            do {
                return try await signIn(request)
            } catch let error as APIError {
                return form(request: request, error: error.detail, status: HTTPResponse.Status(code: error.status))
            }
        }
        routes.group.get("sign-in/link/:secret") { request, context in
            guard let opened = try await sessions.redeem(signInLink: try context.parameters.path("secret")) else {
                return form(request: request, error: "This sign-in link was used already or has expired.", status: .unauthorized)
            }
            var response = PageRenderer.redirect(to: "/console/dashboard")
            response.setCookie(cookies.session(opened))
            return response
        }
        routes.form("sign-out") { console, _ in
            if let secret = console.request.cookies[ConsoleCookies.session]?.value {
                try await sessions.close(secret: secret)
            }
            var response = PageRenderer.redirect(to: "/console/sign-in")
            response.setCookie(cookies.expired(ConsoleCookies.session))
            response.setCookie(cookies.notice("You are signed out."))
            return response
        }
    }

    private func signIn(_ request: Request) async throws -> Response {
        let form = try await FormBody(request: request)
        // The sign-in form's nonce, also in a cookie: another site cannot post its own credential into this
        // browser's console.
        guard let nonce = form["nonce"], let expected = request.cookies[ConsoleCookies.signInNonce]?.value,
            ConsoleSession.constantTimeEqual(Array(nonce.utf8), Array(expected.utf8))
        else {
            throw APIError.forbidden("Console.InvalidCSRFToken", "The sign-in form has expired. Try again.")
        }
        guard let credential = form.text("token") else {
            throw APIError.validation("Console.MissingToken", "Paste an organization token (ksh_…) or a JWT.")
        }
        let caller = try await authenticator.authenticateOrganization(authorization: "Bearer \(credential)")
        let opened = try await sessions.open(for: caller)
        var response = PageRenderer.redirect(to: Self.next(form["next"]))
        response.setCookie(cookies.session(opened))
        response.setCookie(cookies.expired(ConsoleCookies.signInNonce))
        return response
    }

    private func form(request: Request, error: String?, status: HTTPResponse.Status) -> Response {
        var generator = SystemRandomNumberGenerator()
        let nonce = base64URL((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
        var data: [String: Any] = ["nonce": nonce]
        data["error"] = error
        data["next"] = request.uri.queryParameters["next"].map(String.init)
        let page = Page(template: "sign-in", title: "Sign in", section: nil, data: data, status: status)
        var response = renderer.render(page, session: nil, notice: ConsoleCookies.notice(of: request))
        response.setCookie(cookies.cookie(ConsoleCookies.signInNonce, nonce, maxAge: 3600))
        response.setCookie(cookies.expired(ConsoleCookies.notice))
        return response
    }

    /// Where to go after signing in: a console page the form named, never another site.
    static func next(_ requested: String?) -> String {
        guard let requested, requested.hasPrefix("/console/"), !requested.hasPrefix("//"), !requested.contains("\\") else {
            return "/console/dashboard"
        }
        return requested
    }
}
