import HTTPTypes
import Hummingbird
import KaitenCore

/// Who an authenticated request acts as.
package enum Principal: Sendable {
    case anonymous
    case organization(OrganizationCaller)
    case platform(PlatformCaller)
}

/// The per-request context of both listeners: Hummingbird's core storage plus the authenticated principal.
package struct KaitenRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var principal: Principal = .anonymous

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The organization caller, or 401 when the request carried none.
    package func organizationCaller() throws -> OrganizationCaller {
        guard case .organization(let caller) = principal else { throw APIError.noIdentity }
        return caller
    }

    /// The platform caller, or 401 when the request carried none.
    package func platformCaller() throws -> PlatformCaller {
        guard case .platform(let caller) = principal else { throw APIError.noIdentity }
        return caller
    }
}

extension APIError {
    package static let noIdentity = APIError.unauthorized("Auth.NoIdentity", "no identity found in context")
}
