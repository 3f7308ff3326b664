import Foundation
import KaitenCore

/// The writable fields of an instance, shared by create and the full-replacement update.
///
/// `slug` and `deploymentZoneId` may be left out (a create generates the slug; an update keeps both), but
/// never sent as null: absence is the only "leave alone" signal either has.
struct InstanceFields {
    let name: String
    let description: String
    let customerID: UUID
    let licenseID: UUID
    let deploymentZoneID: UUID?
    let startLicenseDate: Date?
    let endLicenseDate: Date?
    let metadata: [String: JSONValue]
    let slug: String?
    /// Whether the body carried at least one integration, which only a create may.
    let hasIntegrations: Bool

    /// The contract requires `description` and both license dates on a create as on a replacement.
    init(reading reader: inout JSONObjectReader) {
        name = reader.string("name", required: true, minLength: 1, maxLength: 255) ?? ""
        description = reader.string("description", required: true, maxLength: 10_000) ?? ""
        customerID = reader.identifier("customerId", required: true) ?? UUID()
        licenseID = reader.identifier("licenseId", required: true) ?? UUID()
        deploymentZoneID = reader.identifier("deploymentZoneId")
        startLicenseDate = reader.timestamp("startLicenseDate", required: true)
        endLicenseDate = reader.timestamp("endLicenseDate", required: true)
        metadata = reader.object("metadata") ?? [:]
        slug = reader.slug()
        hasIntegrations = !(reader.object("integrations") ?? [:]).isEmpty
    }
}
