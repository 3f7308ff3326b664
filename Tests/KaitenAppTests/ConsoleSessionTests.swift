import Foundation
import HTTPTypes
import HummingbirdTesting
import KaitenCore
import KaitenIdentity
import NIOCore
import PostgresNIO
import Testing

@testable import KaitenConsole

/// The console's sign-in, through the Core listener's router: what a browser holds, and when it stops working.
@Suite struct ConsoleSessionTests {
    /// Signs in through the form with `credential` and returns the session cookie's value.
    static func signIn(_ kaiten: TestKaiten, credential: String) async throws -> String? {
        let nonce = "n0nce-for-the-test"
        return try await kaiten.core.execute(
            uri: "/console/sign-in", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "kaiten_console_sign_in=\(nonce)"],
            body: ByteBuffer(string: "nonce=\(nonce)&token=\(credential.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
        ) { response in
            guard response.status == .seeOther else { return nil }
            return response.headers[values: .setCookie].first { $0.hasPrefix("kaiten_console_session=") }
                .flatMap { $0.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init) }
        }
    }

    static func dashboard(_ kaiten: TestKaiten, session: String) async throws -> HTTPResponse.Status {
        try await kaiten.core.execute(uri: "/console/dashboard", method: .get, headers: [.cookie: "kaiten_console_session=\(session)"]) {
            $0.status
        }
    }

    @Test func aJWTSessionKeepsTheJWTsScopesAndEndsWhenTheMembershipIsRemoved() async throws {
        try await TestKaiten.run { kaiten in
            let jwt = JWTAuthenticationTests.jwt(subject: "console_user", organization: "org_console", scopes: ["read:*"])
            let session = try #require(try await Self.signIn(kaiten, credential: jwt))
            #expect(try await Self.dashboard(kaiten, session: session) == .ok)
            let stored = try await kaiten.database.first(
                "SELECT scopes, secret_digest <> \(session) FROM console_session", as: ([String], Bool).self, logger: kaiten.database.logger)
            #expect(stored?.0 == ["read:*"])
            #expect(stored?.1 == true, "the cookie's secret is never stored in clear")
            let organization = DeterministicIdentifiers.organizationID(externalID: "org_console").lowercased
            let user = DeterministicIdentifiers.userID(subject: "console_user").lowercased
            let removed = try await kaiten.platform.json(
                .delete, "/api/platform/organizations/\(organization)/memberships/\(user)", token: kaiten.platformToken.plaintext)
            #expect(removed.status == .noContent)
            #expect(try await Self.dashboard(kaiten, session: session) == .seeOther)
        }
    }

    @Test func aSignInWithoutTheFormsNonceOpensNoSession() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let status = try await kaiten.core.execute(
                uri: "/console/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "nonce=forged&token=\(token)")
            ) { $0.status }
            #expect(status == .forbidden)
            #expect(try await kaiten.count("SELECT count(*) FROM console_session") == 0)
        }
    }

    @Test(arguments: [
        ("/console/customers?page=2", "/console/customers?page=2"),
        ("https://evil.example/console/", "/console/dashboard"),
        ("//evil.example/console/", "/console/dashboard"),
        ("/console/\\evil.example", "/console/dashboard"),
        ("/api/customers", "/console/dashboard"),
        (nil, "/console/dashboard"),
    ])
    func afterSigningInOnlyAConsolePageIsReturnedTo(_ requested: String?, _ expected: String) {
        #expect(SignIn.next(requested) == expected)
    }

    @Test func aFormIsReadAsBrowsersEncodeIt() {
        let form = FormBody(encoded: "name=Caf%C3%A9+%26+Co&scope=read%3Acustomers&scope=write%3Aflags&empty=&bare")
        #expect(form["name"] == "Café & Co")
        #expect(form.values("scope") == ["read:customers", "write:flags"])
        #expect(form["empty"] == "" && form.text("empty") == nil)
        #expect(form["bare"] == "")
        #expect(form["missing"] == nil)
    }
}
