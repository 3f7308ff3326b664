import HTTPTypes
import Hummingbird
import KaitenCore
import PostgresNIO

/// A refused write, shown on the form that made it: the problem's detail at the top and each of its
/// `errors[]` next to the field it names, while the form keeps what was typed.
struct FormFailure {
    let detail: String
    /// Messages by form field; the field of `/name` is `name`.
    let fieldErrors: [String: String]
    /// Messages no field of the form shows.
    let otherErrors: [String]
    let statusCode: Int

    init(_ error: APIError, fields: Set<String>) {
        detail = error.detail
        statusCode = error.status
        var byField: [String: String] = [:]
        var other: [String] = []
        for entry in error.errors {
            let field = Self.field(of: entry.location)
            if fields.contains(field) {
                byField[field] = byField[field].map { "\($0) \(entry.message)" } ?? entry.message
            } else {
                other.append(entry.location.isEmpty ? entry.message : "\(entry.location): \(entry.message)")
            }
        }
        fieldErrors = byField
        otherErrors = other
    }

    /// The top-level body member an error's location names: `domain` for `body.domain`, `grants` for
    /// `body.grants[0].value`.
    static func field(of location: String) -> String {
        let path = location.hasPrefix("body.") ? location.dropFirst("body.".count) : Substring(location)
        return String(path.prefix { $0 != "." && $0 != "[" })
    }

    /// What a form template reads: `problem`, `errors.<field>` and `otherErrors`.
    var data: [String: Any] {
        ["problem": detail, "errors": fieldErrors, "otherErrors": otherErrors]
    }

    var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }
}

extension APIError {
    /// Whether the person filling the form can correct what was refused: invalid or conflicting input, or a
    /// record that went away meanwhile. Other refusals (a missing scope) get their own page.
    var isCorrectable: Bool { [.validation, .unprocessable, .conflict, .notFound].contains(kind) }
}
