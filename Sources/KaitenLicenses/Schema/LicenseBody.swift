import Foundation
import KaitenCore

/// A `License` request body, shared by create and the full-replacement update.
///
/// The schema serves both writes and reads, so it carries members a given write refuses or only accepts as
/// an echo (`version`, `lifecycleState`, `familyId`, `familySlug`, `slug`); each operation decides. The type
/// and the lifecycle state are kept as sent: Kaiten reads them case-insensitively and reports an unknown one
/// with its operation's own code, after the scope check.
struct LicenseBody {
    let name: String
    let description: String
    let type: String
    let versionName: String?
    let isDefault: Bool
    let slug: String?
    /// The version as sent; an empty string counts as not sent.
    let version: String?
    let lifecycleState: String?
    let familyID: UUID?
    let familySlug: String?

    init(_ body: JSONValue) throws {
        var reader = JSONObjectReader(body)
        name = reader.string("name", required: true, minLength: 1, maxLength: 100) ?? ""
        description = reader.string("description", required: true, maxLength: 500) ?? ""
        type = reader.string("type", required: true) ?? ""
        versionName = reader.string("versionName", maxLength: 50)
        isDefault = reader.boolean("isDefault", required: true) ?? false
        slug = reader.slug()
        version = reader.string("version").flatMap { $0.isEmpty ? nil : $0 }
        lifecycleState = reader.string("lifecycleState").flatMap { $0.isEmpty ? nil : $0 }
        familyID = reader.identifier("familyId")
        familySlug = reader.slug("familySlug")
        try reader.finish()
    }

    /// The type, upper-cased; 400 `<operation>.InvalidType` for anything else.
    func licenseType(operation: String) throws -> LicenseType {
        guard let type = LicenseType(normalizing: type) else {
            throw APIError.validation("\(operation).InvalidType", "unsupported license type \"\(type)\", expected one of \(LicenseType.expected)")
        }
        return type
    }

    /// The lifecycle state sent, upper-cased; 400 `<operation>.InvalidLifecycleState` for an unknown one.
    func requestedLifecycleState(operation: String) throws -> LifecycleState? {
        guard let lifecycleState else { return nil }
        guard let state = LifecycleState(normalizing: lifecycleState) else {
            throw APIError.validation(
                "\(operation).InvalidLifecycleState",
                "unsupported license lifecycle state \"\(lifecycleState)\", expected one of \(LifecycleState.expected)"
            )
        }
        return state
    }
}
