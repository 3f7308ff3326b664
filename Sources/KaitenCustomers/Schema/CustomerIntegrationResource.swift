import Foundation
import KaitenCore

/// A customer as a connector sees it through one of its records: the customer's own fields beside that link's.
struct CustomerIntegrationResource: Encodable {
    let name: String
    let slug: String
    let domain: String?
    let integrationMetadata: [String: JSONValue]
    let webUrl: String?
    let error: String?

    init(customer: CustomerResource, link: IntegrationLink) {
        name = customer.name
        slug = customer.slug
        domain = customer.domain
        integrationMetadata = link.metadata
        webUrl = link.webURL
        error = link.lastError
    }
}
