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
    /// The integrations the body carried: a create sets them, a replacement may only send them back.
    let integrations: [String: IntegrationLinkInput]

    init(
        name: String, description: String, customerID: UUID, licenseID: UUID, deploymentZoneID: UUID?, startLicenseDate: Date?,
        endLicenseDate: Date?, metadata: [String: JSONValue], slug: String?, integrations: [String: IntegrationLinkInput]
    ) {
        self.name = name
        self.description = description
        self.customerID = customerID
        self.licenseID = licenseID
        self.deploymentZoneID = deploymentZoneID
        self.startLicenseDate = startLicenseDate
        self.endLicenseDate = endLicenseDate
        self.metadata = metadata
        self.slug = slug
        self.integrations = integrations
    }

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
        integrations = reader.integrationLinks() ?? [:]
    }
}
