import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenHTTP
import KaitenIdentity
import Logging
import PostgresNIO

/// A request to a signed-in console page.
struct ConsoleRequest {
    let request: Request
    let context: KaitenRequestContext
    let session: ConsoleSession
    let renderer: PageRenderer
    let cookies: ConsoleCookies
    /// The query string, read once as a GET form encodes it, where `+` is a space.
    private let queryFields: FormBody

    init(request: Request, context: KaitenRequestContext, session: ConsoleSession, renderer: PageRenderer, cookies: ConsoleCookies) {
        self.request = request
        self.context = context
        self.session = session
        self.renderer = renderer
        self.cookies = cookies
        queryFields = FormBody(encoded: request.uri.query ?? "")
    }

    var caller: OrganizationCaller { session.caller }

    /// A query parameter's value, nil when absent or blank, or holding a NUL, which no PostgreSQL text can hold.
    func query(_ name: String) -> String? {
        guard let value = queryFields[name], !value.isEmpty, !value.contains("\0") else { return nil }
        return value
    }

    /// The path parameter the route guarantees.
    func parameter(_ name: String) throws -> String {
        try context.parameters.decodedPath(name)
    }

    /// 303 to the page that shows what a write did, with a notice shown there once.
    func redirect(to location: String, notice: String) -> Response {
        var response = PageRenderer.redirect(to: location)
        response.setCookie(cookies.notice(notice))
        return response
    }

    /// Answers a form: with what `write` answers (a redirect to what it changed), or, when the write is refused
    /// for something the person can correct (``APIError/isCorrectable``), with the page `refused` makes of the
    /// refusal, which is the form again with what was typed. Any other failure is the console's error page.
    func submit(_ write: () async throws -> Response, refused: (APIError) async throws -> Page) async throws -> Response {
        do {
            return try await write()
        } catch let error as APIError where error.isCorrectable {
            return render(try await refused(error))
        }
    }

    /// The page in the layout, with the notice a previous write left, which is then cleared.
    func render(_ page: Page) -> Response {
        let notice = ConsoleCookies.notice(of: request)
        var response = renderer.render(page, session: session, notice: notice)
        if notice != nil {
            response.setCookie(cookies.expired(ConsoleCookies.notice))
        }
        return response
    }
}

/// Registers console pages and forms: each resolves the session first, checks a form's CSRF token before its
/// handler runs, and turns a refusal into a page a person can read.
struct ConsoleRoutes {
    let group: RouterGroup<KaitenRequestContext>
    let gate: ConsoleGate

    /// A page shown with GET; without a session, the sign-in page, which comes back here afterwards.
    func page(_ path: RouterPath, _ handler: @escaping @Sendable (ConsoleRequest) async throws -> Response) {
        let gate = gate
        group.get(path) { request, context in
            guard let session = try await gate.session(of: request) else {
                let next = request.uri.description
                return PageRenderer.redirect(to: "/console/sign-in?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            }
            return await gate.respond(request, context, session) {
                try await handler(gate.request(request, context, session))
            }
        }
    }

    /// A form posted to `path`. Without a session, or with a CSRF token not of this session, nothing is written.
    func form(_ path: RouterPath, _ handler: @escaping @Sendable (ConsoleRequest, FormBody) async throws -> Response) {
        let gate = gate
        group.post(path) { request, context in
            guard let session = try await gate.session(of: request) else {
                var response = PageRenderer.redirect(to: "/console/sign-in")
                response.setCookie(gate.cookies.notice("Your session has ended. Sign in again; nothing was changed."))
                return response
            }
            return await gate.respond(request, context, session) {
                let form = try await FormBody(request: request)
                try session.verify(form)
                return try await handler(gate.request(request, context, session), form)
            }
        }
    }
}

/// What every console route does before and after its handler: find the session a request's cookie stands
/// for, and render whatever the handler throws as a page.
struct ConsoleGate: Sendable {
    let renderer: PageRenderer
    let sessions: BrowserSessions
    let cookies: ConsoleCookies

    func session(of request: Request) async throws -> ConsoleSession? {
        guard let secret = request.cookies[ConsoleCookies.session]?.value, !secret.isEmpty,
            let caller = try await sessions.caller(secret: secret)
        else { return nil }
        return ConsoleSession(caller: caller, secret: secret)
    }

    func request(_ request: Request, _ context: KaitenRequestContext, _ session: ConsoleSession) -> ConsoleRequest {
        ConsoleRequest(request: request, context: context, session: session, renderer: renderer, cookies: cookies)
    }

    func respond(
        _ request: Request, _ context: KaitenRequestContext, _ session: ConsoleSession, _ body: () async throws -> Response
    ) async -> Response {
        do {
            return try await body()
        } catch {
            return renderer.render(ErrorPage(error, request: request, logger: context.logger).page, session: session)
        }
    }
}

/// The page for a refusal or a failure: "Restricted access" with the API's reason for a missing scope, and a
/// reference to the logs for anything unexpected.
struct ErrorPage {
    let page: Page

    init(_ error: any Error, request: Request, logger: Logger) {
        let errorID = UUID().lowercased
        // The API's reading of a failure: a client's bad value (a NUL PostgreSQL refuses) is a 400, not a 500.
        let refusal = ProblemMiddleware.apiError(for: error)
        guard refusal.kind != .internalFailure else {
            logger.error(
                "console request failed",
                metadata: ["kaiten.error_id": "\(errorID)", "kaiten.error": "\(String(reflecting: error))", "kaiten.path": "\(request.uri.path)"]
            )
            page = Page(
                template: "error", title: "Something went wrong", section: nil,
                data: ["heading": "Something went wrong", "detail": "The server could not show this page.", "errorId": errorID],
                status: .internalServerError)
            return
        }
        logger.info("console request refused", metadata: ["kaiten.error_id": "\(errorID)", "kaiten.code": "\(refusal.code)"])
        let heading =
            switch refusal.kind {
            case .forbidden: "Restricted access"
            case .notFound: "Not found"
            default: "This request could not be completed"
            }
        page = Page(
            template: "error", title: heading, section: nil,
            data: ["heading": heading, "detail": refusal.detail, "code": refusal.code, "errorId": errorID],
            status: HTTPResponse.Status(code: refusal.status))
    }
}
