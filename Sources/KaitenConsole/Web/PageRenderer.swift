import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import Mustache
import PostgresNIO

/// One page to answer with: the template that renders it, its title, where it sits in the navigation and
/// what its template reads.
struct Page {
    var template: String
    var title: String
    var section: ConsoleSection?
    var data: [String: Any] = [:]
    var status: HTTPResponse.Status = .ok
}

/// The console's areas, in the side navigation's order.
enum ConsoleSection: String, CaseIterable {
    case dashboard, customers, instances, featureFlags, entitlements, licenses, releases, components, deploymentZones
    case serviceAccounts, webhooks, auditTrail, settings

    var label: String {
        switch self {
        case .dashboard: "Dashboard"
        case .customers: "Customers"
        case .instances: "Instances"
        case .featureFlags: "Feature flags"
        case .entitlements: "Entitlements"
        case .licenses: "Licenses"
        case .releases: "Releases"
        case .components: "Components"
        case .deploymentZones: "Deployment zones"
        case .serviceAccounts: "Service accounts"
        case .webhooks: "Webhooks"
        case .auditTrail: "Audit trail"
        case .settings: "Settings"
        }
    }

    var path: String {
        switch self {
        case .dashboard: "/console/dashboard"
        case .customers: "/console/customers"
        case .instances: "/console/instances"
        case .featureFlags: "/console/feature-flags"
        case .entitlements: "/console/entitlements"
        case .licenses: "/console/licenses"
        case .releases: "/console/releases"
        case .components: "/console/components"
        case .deploymentZones: "/console/deployment-zones"
        case .serviceAccounts: "/console/service-accounts"
        case .webhooks: "/console/webhooks"
        case .auditTrail: "/console/audit-trail"
        case .settings: "/console/settings"
        }
    }
}

/// Renders pages from the Mustache templates shipped with the module, inside the console's layout, and
/// serves the stylesheet and script they load.
///
/// Every value is HTML-escaped by the templates (`{{value}}`); the only unescaped output (`{{{svg}}}`) is
/// markup the server built from escaped parts.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary
    private let assets: [String: Asset]

    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        /// A digest of the content, in the asset's URL, so a changed file is fetched again at once.
        let version: String
    }

    init() throws {
        guard let resources = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw ConsoleResourcesMissing()
        }
        var library = MustacheLibrary()
        let templates = resources.appendingPathComponent("templates")
        for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        self.library = library
        var assets: [String: Asset] = [:]
        let statics = resources.appendingPathComponent("static")
        for file in try FileManager.default.contentsOfDirectory(atPath: statics.path) {
            let data = try Data(contentsOf: statics.appendingPathComponent(file))
            let type =
                switch URL(fileURLWithPath: file).pathExtension {
                case "css": "text/css; charset=utf-8"
                case "svg": "image/svg+xml"
                default: "text/javascript; charset=utf-8"
                }
            let version = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            assets[file] = Asset(body: ByteBuffer(bytes: data), contentType: type, version: version)
        }
        self.assets = assets
    }

    func asset(named name: String) -> Asset? { assets[name] }

    /// A page inside the layout; `session` is nil on the pages shown before signing in.
    func render(_ page: Page, session: ConsoleSession?, notice: String? = nil) -> Response {
        var data = page.data
        data["pageTitle"] = page.title
        data["notice"] = notice
        data["stylesheet"] = "/console/static/console.css?v=\(assets["console.css"]?.version ?? "")"
        data["script"] = "/console/static/console.js?v=\(assets["console.js"]?.version ?? "")"
        data["icon"] = "/console/static/favicon.svg?v=\(assets["favicon.svg"]?.version ?? "")"
        if let session {
            data["signedIn"] = true
            data["csrf"] = session.csrfToken
            data["userName"] = session.caller.userName
            data["organization"] = session.caller.organizationExternalID
            data["navigation"] = ConsoleSection.allCases.map { section in
                ["label": section.label, "path": section.path, "current": section == page.section] as [String: Any]
            }
        }
        guard let html = library.render(data, withTemplate: page.template) else {
            // A page naming a template the module does not ship: a defect, never a blank 200.
            return Self.html("The console has no page template \"\(page.template)\".", status: .internalServerError)
        }
        return Self.html(html, status: page.status)
    }

    static func html(_ html: String, status: HTTPResponse.Status) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 to another console page, as every successful form post ends.
    static func redirect(to location: String) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// Only this server's own pages, scripts and styles; no framing, no inline script or style.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "same-origin",
        .xFrameOptions: "DENY",
    ]
}

struct ConsoleResourcesMissing: Error, CustomStringConvertible {
    var description: String { "the console's templates are missing from the module's resources" }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
