import Foundation
import KaitenCore

/// An instance as a connector sees it through one of its records: the instance's own fields beside that
/// link's, and its customer's record in the same adapter.
struct InstanceIntegrationResource: Encodable {
    let name: String
    let slug: String
    let description: String
    let licenseId: String
    let deploymentZoneId: String?
    let startLicenseDate: Date
    let endLicenseDate: Date
    let customerExternalId: String?
    let integrationMetadata: [String: JSONValue]
    let webUrl: String?
    let error: String?

    init(instance: InstanceResource, link: IntegrationLink, customerExternalID: String?) {
        name = instance.name
        slug = instance.slug
        description = instance.description
        licenseId = instance.licenseId
        deploymentZoneId = instance.deploymentZoneId
        startLicenseDate = instance.startLicenseDate
        endLicenseDate = instance.endLicenseDate
        customerExternalId = customerExternalID
        integrationMetadata = link.metadata
        webUrl = link.webURL
        error = link.lastError
    }
}
