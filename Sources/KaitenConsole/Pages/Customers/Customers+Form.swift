import Foundation
import Hummingbird
import KaitenCore
import KaitenCustomers
import PostgresNIO

/// The customer form (create and edit) and the delete confirmation.
extension CustomersPages {
    static let fields: Set<String> = ["name", "slug", "externalCustomerId", "domain"]

    func editor(_ console: ConsoleRequest, customer: CustomerResource?, typed: [String: String]? = nil, failure: FormFailure? = nil) -> Page {
        var data: [String: Any] = [
            "creating": customer == nil,
            "action": customer.map { "/console/customers/\($0.slug)" } ?? "/console/customers",
            "values": typed ?? [
                "name": customer?.name ?? "", "slug": customer?.slug ?? "",
                "externalCustomerId": customer?.externalCustomerId ?? "", "domain": customer?.domain ?? "",
            ],
            "cancel": customer.map { "/console/customers/\($0.slug)" } ?? "/console/customers",
        ]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "customer-form", title: customer.map { "Edit \($0.name)" } ?? "New customer", section: .customers, data: data,
            status: failure?.status ?? .ok)
    }

    /// The request body the API takes, from the form: blank optional fields are left out.
    static func body(_ form: FormBody, creating: Bool) -> JSONValue {
        var members: [String: JSONValue] = ["name": .string(form["name"] ?? "")]
        if creating, let slug = form.text("slug") { members["slug"] = .string(slug) }
        members["externalCustomerId"] = form.text("externalCustomerId").map(JSONValue.string) ?? .null
        if let domain = form.text("domain") { members["domain"] = .string(domain) }
        return .object(members)
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        return try await console.submit {
            let customer = try await customers.create(try CreateCustomer.Command(body: Self.body(form, creating: true)), caller: console.caller)
            return console.redirect(to: "/console/customers/\(customer.slug)", notice: "Customer \(customer.name) created.")
        } refused: { error in
            editor(console, customer: nil, typed: form.typed, failure: FormFailure(error, fields: Self.fields))
        }
    }

    func update(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let customer = try await customers.get(slug: slug, caller: console.caller)
        return try await console.submit {
            try await customers.update(slug: slug, try UpdateCustomer.Command(body: Self.body(form, creating: false)), caller: console.caller)
            return console.redirect(to: "/console/customers/\(slug)", notice: "Customer \(form["name"] ?? slug) saved.")
        } refused: { error in
            editor(console, customer: customer, typed: form.typed, failure: FormFailure(error, fields: Self.fields))
        }
    }

    /// The confirmation before a delete, naming the customer; a customer with instances cannot be deleted here.
    func deletion(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let customer = try await customers.get(slug: slug, caller: console.caller)
        let instances =
            try await database.first(
                """
                SELECT count(*)::int FROM instance i JOIN customer c ON c.id = i.customer_id
                WHERE c.organization_id = \(console.caller.organizationID) AND c.slug = \(slug)
                """,
                as: Int.self, logger: database.logger) ?? 0
        var data: [String: Any] = [
            "kind": "customer", "name": customer.name, "action": "/console/customers/\(slug)/delete",
            "cancel": "/console/customers/\(slug)", "consequence": "The customer and its integrations are deleted.",
        ]
        if instances > 0 {
            data["blocked"] = "\(customer.name) still has \(instances) instance\(instances == 1 ? "" : "s"). Delete them first."
        }
        return Page(template: "confirm-delete", title: "Delete \(customer.name)", section: .customers, data: data)
    }
}
