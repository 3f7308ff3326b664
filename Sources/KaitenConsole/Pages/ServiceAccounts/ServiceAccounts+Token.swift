import Foundation
import Hummingbird
import KaitenCore
import KaitenIdentity
import PostgresNIO

/// What the new-token form holds: its name, expiry and the access granted on each module.
struct TokenFormValues {
    enum Access: String, CaseIterable {
        case noAccess = "none"
        case read, write
    }

    var name = ""
    var expiresOn = ""
    var access: [Scope.Module: Access] = [:]

    init() {}

    init(_ form: FormBody) {
        name = form["name"] ?? ""
        expiresOn = form["expiresOn"] ?? ""
        for module in TokenScopeTable.modules {
            access[module] = form["scope.\(module.rawValue)"].flatMap(Access.init(rawValue:)) ?? .noAccess
        }
    }

    var scopes: [String] {
        TokenScopeTable.modules.compactMap { module in
            switch access[module] ?? .noAccess {
            case .noAccess: nil
            case .read: Scope.read(module).description
            case .write: Scope.write(module).description
            }
        }
    }
}

/// The scope table of the new-token form: a row per module an organization token can reach, grouped as the
/// product is, and the two presets.
enum TokenScopeTable {
    static let groups: [(label: String, modules: [Scope.Module])] = [
        ("Customers", [.customers, .instances]),
        ("Licensing", [.licenses, .entitlements]),
        ("Feature flags", [.featureFlags]),
        ("Releases", [.releases, .components, .deploymentZones]),
        ("Organization", [.organizations, .tokens, .webhooks, .metadataFields, .notifications]),
    ]
    static let modules = groups.flatMap(\.modules)

    /// What an application embedding Kaiten needs at run time: read its flags, entitlements and licenses,
    /// and report usage and status on its instance.
    static let dataPlane: [Scope.Module: TokenFormValues.Access] = [
        .featureFlags: .read, .entitlements: .read, .licenses: .read, .instances: .write, .customers: .read, .releases: .read,
        .components: .read, .deploymentZones: .read, .metadataFields: .read,
    ]
    /// What an automation managing the catalogue and customers needs: write everything but credentials.
    static let controlPlane: [Scope.Module: TokenFormValues.Access] = Dictionary(
        uniqueKeysWithValues: modules.map { ($0, $0 == .tokens ? TokenFormValues.Access.read : .write) })

    static let presets: [String: [Scope.Module: TokenFormValues.Access]] = ["data-plane": dataPlane, "control-plane": controlPlane]

    static func label(_ module: Scope.Module) -> String {
        let words = module.rawValue.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

/// `/console/service-accounts/{sa}/tokens/new` and its post: the token is shown once, in the answer to the
/// post itself, which no browser cache keeps and no later page repeats.
extension ServiceAccountsPages {
    static let tokenFields: Set<String> = ["name", "expiresAt", "scopes"]

    func tokenEditor(
        _ console: ConsoleRequest, account: ServiceAccountName, values: TokenFormValues, failure: FormFailure? = nil
    ) -> Page {
        var data: [String: Any] = [
            "account": ["name": account.name, "link": account.link],
            "action": "\(account.link)/tokens",
            "values": ["name": values.name, "expiresOn": values.expiresOn],
            "groups": TokenScopeTable.groups.map { group in
                [
                    "label": group.label,
                    "modules": group.modules.map { module in
                        let chosen = values.access[module] ?? .noAccess
                        return [
                            "label": TokenScopeTable.label(module), "field": "scope.\(module.rawValue)", "id": "scope-\(module.rawValue)",
                            "none": chosen == .noAccess, "read": chosen == .read, "write": chosen == .write,
                        ] as [String: Any]
                    },
                ] as [String: Any]
            },
        ]
        if let failure {
            data.merge(failure.data) { $1 }
            // The expiry is typed as a day; the API names it expiresAt.
            if let expiry = failure.fieldErrors["expiresAt"] { data["expiryError"] = expiry }
        }
        return Page(
            template: "token-form", title: "New token for \(account.name)", section: .serviceAccounts, data: data, status: failure?.status ?? .ok)
    }

    /// A preset button fills the scope table and shows the form again; the create button issues the token.
    func createToken(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let account = try await accountName(console, slug: slug)
        var values = TokenFormValues(form)
        if let preset = form["preset"].flatMap({ TokenScopeTable.presets[$0] }) {
            values.access = Dictionary(uniqueKeysWithValues: TokenScopeTable.modules.map { ($0, preset[$0] ?? .noAccess) })
            return console.render(tokenEditor(console, account: account, values: values))
        }
        var members: [String: JSONValue] = ["name": .string(values.name), "scopes": .array(values.scopes.map(JSONValue.string))]
        if let day = form.text("expiresOn") {
            // A day from the date input means the start of that day, UTC; anything else goes as typed, for the API to refuse.
            let midnight = "\(day)T00:00:00Z"
            members["expiresAt"] = .string((try? Date(midnight, strategy: .iso8601)) != nil ? midnight : day)
        }
        return try await console.submit {
            let token = try await identity.createToken(
                serviceAccountSlug: slug, try CreateServiceAccountToken.Command(body: .object(members)), caller: console.caller)
            return console.render(
                Page(
                    template: "token-created", title: "Token \(token.metadata.name) created", section: .serviceAccounts,
                    data: [
                        "account": ["name": account.name, "link": account.link], "name": token.metadata.name, "slug": token.metadata.slug,
                        "value": token.token, "scopes": token.metadata.scopes, "expires": token.metadata.expiresAt.map(Format.date) ?? "Never",
                    ]))
        } refused: { error in
            tokenEditor(console, account: account, values: values, failure: FormFailure(error, fields: Self.tokenFields))
        }
    }
}
