import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Reads components with the names of the users who created them.
enum ComponentRows: OrganizationRows {
    static let alias = "c"
    static let selection = """
        SELECT c.id, c.previous_component_id, c.name, c.version, c.slug, c.description,
               COALESCE(c.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, c.created_at
        FROM component c
        LEFT JOIN "user" creator ON creator.id = c.created_by_id
        """

    typealias Columns = (UUID, UUID?, String, String, String, String?, UUID, String?, Date)

    /// Decodes the components of a query that starts with `selection`.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [ComponentResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            ComponentResource(
                id: row.0.lowercased,
                previousComponentId: row.1?.lowercased,
                name: row.2,
                version: row.3,
                slug: row.4,
                description: row.5,
                createdBy: UserReference(id: row.6, name: row.7),
                createdAt: row.8
            )
        }
    }

    /// The organization's component with this slug, locked for the rest of the transaction when `forUpdate`.
    ///
    /// The lock also holds off a release being created with the component: linking it takes a key-share lock on
    /// its row, which waits for this one.
    static func find(
        slug: String, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> ComponentResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE c.organization_id = \(organizationID) AND c.slug = \(slug)
            \(unescaped: forUpdate ? "FOR UPDATE OF c" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }

    /// The component with this id, as a write just left it.
    static func get(id: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> ComponentResource {
        try await fetch("\(unescaped: selection) WHERE c.id = \(id)", on: executor, logger: logger)[0]
    }

    /// Writes a component version as the caller and returns its id: a created component, or the new version a
    /// change to a held one becomes.
    static func insert(
        _ fields: ComponentFields, slug: String, description: String?, previousComponentID: UUID?, caller: OrganizationCaller,
        on executor: some SQLExecutor, logger: Logger
    ) async throws -> UUID {
        try await executor.first(
            """
            INSERT INTO component (organization_id, previous_component_id, name, version, slug, description, created_by_id)
            VALUES (\(caller.organizationID), \(previousComponentID), \(fields.name), \(fields.version), \(slug), \(description),
                    \(caller.userID))
            RETURNING id
            """,
            as: UUID.self,
            logger: logger
        )!
    }

    /// Kaiten answers every operation on a missing component with the same code.
    static func notFound(slug: String) -> APIError {
        .notFound("Component.NotFound", "Component with slug \"\(slug)\" not found")
    }

    /// How many releases hold the component.
    static func releaseCount(of id: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> Int {
        try await executor.first(
            "SELECT count(*)::int FROM component_release WHERE component_id = \(id)", as: Int.self, logger: logger
        ) ?? 0
    }

    /// The components each of the releases holds, oldest first; a release holding none is absent.
    static func components(
        ofReleases releaseIDs: [UUID], on executor: some SQLExecutor, logger: Logger
    ) async throws -> [UUID: [ComponentResource]] {
        guard !releaseIDs.isEmpty else { return [:] }
        let links = try await executor.all(
            "SELECT release_id, component_id FROM component_release WHERE release_id = ANY(\(releaseIDs))",
            as: (UUID, UUID).self,
            logger: logger
        )
        let componentIDs = Array(Set(links.map { $0.1 }))
        guard !componentIDs.isEmpty else { return [:] }
        let components = try await fetch(
            "\(unescaped: selection) WHERE c.id = ANY(\(componentIDs)) ORDER BY c.created_at, c.id", on: executor, logger: logger
        )
        var releasesByComponent: [String: [UUID]] = [:]
        for (release, component) in links { releasesByComponent[component.lowercased, default: []].append(release) }
        var result: [UUID: [ComponentResource]] = [:]
        for component in components {
            for release in releasesByComponent[component.id] ?? [] { result[release, default: []].append(component) }
        }
        return result
    }

    /// The client error behind a failed insert or update of a component row, if it is one: a name and version
    /// another component has, or a predecessor that is not the organization's.
    static func clientError(_ error: any Error, name: String, version: String, previousComponentID: UUID?) -> APIError? {
        guard let failure = PostgresFailure(error) else { return nil }
        if failure.isUniqueViolation, failure.constraint == "component_name_version_unique" {
            return .conflict(
                "Component.NameVersionConflict",
                "Component with name \"\(name)\" and version \"\(version)\" already exists in this organization"
            )
        }
        if failure.isForeignKeyViolation, failure.constraint == "component_previous_component_fkey" {
            return .notFound("Component.NotFound", "Component with ID \(previousComponentID?.lowercased ?? "") not found")
        }
        return nil
    }
}

/// The writable fields of a component, shared by create and the full-replacement update.
struct ComponentFields {
    let name: String
    let version: String
    let slug: String?
    let description: String?

    init(reading reader: inout JSONObjectReader) {
        name = reader.string("name", required: true, minLength: 1, maxLength: 100) ?? ""
        version = reader.string("version", required: true, minLength: 1, maxLength: 100) ?? ""
        slug = reader.slug()
        description = reader.string("description", maxLength: 500)
    }

    /// What a generated slug is made from: the name and the version, so that versions of one component read apart.
    var slugBase: String { "\(name)-\(version)" }
}
