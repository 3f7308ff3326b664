import Foundation
import KaitenCore
import PostgresNIO

/// One edge of a version's lifecycle: DRAFT → PUBLISHED, PUBLISHED → ARCHIVED, ARCHIVED → PUBLISHED.
///
/// There is no edge back to DRAFT: a version that has been offered cannot become one that never was.
struct LicenseTransition: Sendable {
    /// The prefix of the error codes, e.g. `PublishLicense`.
    let operation: String
    let from: LifecycleState
    let to: LifecycleState
    let event: EventType
    let wrongStateCode: String
    /// Why a version in another state cannot take this edge, and what applies instead.
    let wrongState: @Sendable (_ slug: String, _ current: String) -> String
}

extension LicensesModule {
    /// Moves the version along the edge and records its event, and the family's when the move changes the
    /// version the family serves. The caller has checked the scope.
    func apply(_ transition: LicenseTransition, slug: String, caller: OrganizationCaller) async throws -> LicenseResource {
        let organizationID = caller.organizationID
        let logger = database.logger
        let notFound = APIError.notFound("\(transition.operation).NotFound", "License with slug \"\(slug)\" not found")
        return try await database.transaction { connection in
            guard let familyID = try await LicenseFamilies.lock(ofLicense: slug, organizationID: organizationID, on: connection, logger: logger)
            else {
                throw notFound
            }
            let watch = try await FamilyWatch.begin(familyID: familyID, organizationID: organizationID, on: connection, logger: logger)
            // Locked before its state is read, so the check and the move see the same row.
            guard let current = try await LicenseRows.lock(slug: slug, organizationID: organizationID, on: connection, logger: logger) else {
                throw notFound
            }
            guard current.lifecycleState == transition.from.rawValue else {
                throw APIError.conflict(transition.wrongStateCode, transition.wrongState(slug, current.lifecycleState))
            }
            if transition.to != .published && current.isDefault {
                throw APIError.conflict(
                    "\(transition.operation).DefaultMustBePublished",
                    "License \"\(slug)\" is its family's default, and a default must stay PUBLISHED; make another published version the default, or unset it, first"
                )
            }
            let moved = try await LicenseRows.fetch(
                """
                UPDATE license l SET lifecycle_state = \(transition.to.rawValue)::license_lifecycle_state, updated_at = now()
                WHERE l.id = \(UUID(uuidString: current.id)!)
                RETURNING \(unescaped: LicenseRows.columns)
                """,
                on: connection,
                logger: logger
            )[0]
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: transition.event, data: moved), on: connection, logger: logger)
            try await watch.recordMove(on: connection, logger: logger)
            return moved
        }
    }
}
