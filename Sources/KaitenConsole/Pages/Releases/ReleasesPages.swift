import Foundation
import Hummingbird
import KaitenCore
import KaitenDeployments
import PostgresNIO

/// The releases workspace: releases, the components they are made of, and the deployment zones that run
/// them, whose writes are the Deployments module's use cases.
struct ReleasesPages: Sendable {
    let database: Database
    let deployments: DeploymentsModule

    func register(on routes: ConsoleRoutes) {
        routes.page("releases") { console in console.render(try await releaseList(console)) }
        routes.page("releases/new") { console in console.render(try await releaseEditor(console, baseSlug: console.query("base"))) }
        routes.form("releases") { console, form in try await createRelease(console, form) }
        routes.page("releases/:slug") { console in console.render(try await releaseDetail(console, slug: try console.parameter("slug"))) }
        routes.form("releases/:slug/deploy") { console, form in try await deployRelease(console, form, slug: try console.parameter("slug")) }
        routes.page("releases/:slug/delete") { console in
            console.render(try await releaseDeletion(console, slug: try console.parameter("slug")))
        }
        routes.form("releases/:slug/delete") { console, _ in try await deleteRelease(console, slug: try console.parameter("slug")) }

        routes.page("components") { console in console.render(try await componentList(console)) }
        routes.page("components/new") { console in console.render(componentEditor(console)) }
        routes.form("components") { console, form in try await createComponent(console, form) }

        routes.page("deployment-zones") { console in console.render(try await zoneList(console)) }
        routes.page("deployment-zones/new") { console in console.render(zoneEditor(console, zone: nil)) }
        routes.form("deployment-zones") { console, form in try await createZone(console, form) }
        routes.page("deployment-zones/:slug") { console in console.render(try await zoneDetail(console, slug: try console.parameter("slug"))) }
        routes.page("deployment-zones/:slug/edit") { console in
            let zone = try await deployments.getDeploymentZone(slug: try console.parameter("slug"), caller: console.caller)
            return console.render(zoneEditor(console, zone: zone))
        }
        routes.form("deployment-zones/:slug") { console, form in try await updateZone(console, form, slug: try console.parameter("slug")) }
        routes.page("deployment-zones/:slug/deploy") { console in
            console.render(try await zoneDeployment(console, slug: try console.parameter("slug")))
        }
        routes.form("deployment-zones/:slug/deploy") { console, form in try await deployToZone(console, form, slug: try console.parameter("slug")) }
        routes.page("deployment-zones/:slug/delete") { console in
            console.render(try await zoneDeletion(console, slug: try console.parameter("slug")))
        }
        routes.form("deployment-zones/:slug/delete") { console, _ in
            let slug = try console.parameter("slug")
            try await deployments.deleteDeploymentZone(slug: slug, caller: console.caller)
            return console.redirect(to: "/console/deployment-zones", notice: "Deployment zone \(slug) deleted.")
        }
    }

    /// Whether a zone of this type serves customers: every type but staging and development, as the
    /// release statuses count it.
    static let productionZone = "lower(type) NOT IN ('staging', 'development')"

    /// Each zone of the organization with the release it runs now (its newest deployment; none before the
    /// first) and its instance count, as a subquery. The organization is written in as a literal because the
    /// text joins several statements: a UUID's text cannot carry anything but hex digits and dashes.
    static func zonesNow(of organization: UUID) -> String {
        """
        SELECT z.id, z.name, z.slug, z.type, z.description, z.metadata, z.created_at, z.updated_at, d.release_id,
               COALESCE(ic.instances, 0)::int AS instances
        FROM deployment_zone z
        LEFT JOIN LATERAL (
          SELECT release_id FROM deployment WHERE deployment_zone_id = z.id ORDER BY created_at DESC, seq DESC LIMIT 1
        ) d ON true
        LEFT JOIN (
          SELECT deployment_zone_id, count(*) AS instances FROM instance
          WHERE organization_id = '\(organization.uuidString)' AND deployment_zone_id IS NOT NULL GROUP BY deployment_zone_id
        ) ic ON ic.deployment_zone_id = z.id
        WHERE z.organization_id = '\(organization.uuidString)'
        """
    }

    /// A release's status from the zones running it now and whether any ever did.
    static let releaseStatus = """
        CASE WHEN production_zones > 0 THEN 'DEPLOYED' WHEN running_zones > 0 THEN 'STAGING'
             WHEN ever_deployed THEN 'SUPERSEDED' ELSE 'PLANNED' END
        """

    static let statuses = ["DEPLOYED", "STAGING", "SUPERSEDED", "PLANNED"]

    static func statusLabel(_ status: String) -> String {
        switch status {
        case "DEPLOYED": "Deployed"
        case "STAGING": "In staging"
        case "SUPERSEDED": "Superseded"
        default: "Planned"
        }
    }
}
