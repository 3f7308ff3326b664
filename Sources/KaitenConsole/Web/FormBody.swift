import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// A submitted HTML form (`application/x-www-form-urlencoded`), its fields in the order the browser sent them.
struct FormBody: Sendable {
    /// The largest form the console accepts; its forms are a few fields of text.
    static let limit = 64 * 1024

    let fields: [(name: String, value: String)]

    init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// Parses the encoded text of a form.
    init(encoded text: String) {
        fields = text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// Reads a request's form: 415 for any other body type, 413 past ``limit``.
    init(request: Request) async throws {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw APIError(.unsupportedMediaType, code: "Console.UnsupportedForm", detail: "the console accepts only HTML form posts")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, code: "Console.FormTooLarge", detail: "the form is larger than \(Self.limit / 1024) KiB")
        } catch {
            throw APIError.unreadableBody
        }
        self.init(encoded: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// The first value of a field, nil when absent.
    subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of a repeated field (checkboxes), in order.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// A field's text with surrounding white space removed, nil when empty: what "left blank" means.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The submitted values by field name, for re-showing a refused form as it was typed.
    var typed: [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    private static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
