import KaitenCore

/// The body of a service-account create or update: a name, and a slug that is settable on create only.
package struct ServiceAccountCommand {
    let name: String
    let slug: String?

    package init(body: JSONValue) throws {
        var reader = JSONObjectReader(body)
        let name = reader.string("name", required: true, minLength: 1, maxLength: 255)
        slug = reader.slug()
        try reader.finish()
        self.name = name!
    }
}
