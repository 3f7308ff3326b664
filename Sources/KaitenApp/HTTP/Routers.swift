import Hummingbird
import KaitenAuditTrail
import KaitenConnectors
import KaitenConsole
import KaitenCore
import KaitenCustomers
import KaitenDeployments
import KaitenEntitlements
import KaitenFeatureFlags
import KaitenHTTP
import KaitenIdentity
import KaitenInstances
import KaitenLicenses
import KaitenMetadataFields
import KaitenMigrations
import KaitenWebhooks

/// Everything the HTTP listeners need, built once per process.
struct Modules {
    let database: Database
    let authenticator: Authenticator
    let identity: IdentityModule
    let customers: CustomersModule
    let connectors: ConnectorsModule
    let entitlements: EntitlementsModule
    let featureFlags: FeatureFlagsModule
    let licenses: LicensesModule
    let instances: InstancesModule
    let deployments: DeploymentsModule
    let metadataFields: MetadataFieldsModule
    let auditTrail: AuditTrailModule
    let webhooks: WebhooksModule
    let console: ConsoleModule
    let readiness: Readiness

    init(
        database: Database, jwtVerifier: JWTVerifier?, migrator: Migrator, webhooks: WebhooksConfiguration = WebhooksConfiguration(),
        secureConsoleCookies: Bool = true
    ) throws {
        self.database = database
        authenticator = Authenticator(database: database, jwtVerifier: jwtVerifier)
        identity = IdentityModule(database: database)
        customers = CustomersModule(database: database)
        connectors = ConnectorsModule(database: database, schemaChecker: JSONSchemaChecker())
        entitlements = EntitlementsModule(database: database)
        featureFlags = FeatureFlagsModule(database: database, evaluationEvents: EvaluationEvents(database: database))
        licenses = LicensesModule(database: database)
        let metadataValidator = MetadataValidator(database: database)
        instances = InstancesModule(database: database, metadataValidator: metadataValidator)
        deployments = DeploymentsModule(database: database, metadataValidator: metadataValidator)
        metadataFields = MetadataFieldsModule(database: database)
        auditTrail = AuditTrailModule(database: database)
        self.webhooks = WebhooksModule(database: database, configuration: webhooks)
        console = try ConsoleModule(
            database: database, authenticator: authenticator, sessions: BrowserSessions(database: database),
            useCases: ConsoleUseCases(
                identity: identity, customers: customers, instances: instances, entitlements: entitlements, licenses: licenses,
                featureFlags: featureFlags, deployments: deployments, metadataFields: metadataFields, auditTrail: auditTrail,
                webhooks: self.webhooks),
            secureCookies: secureConsoleCookies)
        readiness = Readiness(database: database, migrator: migrator)
    }

    /// The Core API under `/api`: public health, readiness, token validation and documents, then every
    /// operation behind organization authentication; and the console at `/console`.
    func coreListener() -> Listener {
        let listener = Listener()
        let api = listener.api
        api.on(Healthz.operation) { _, _ in try JSONResponse.make(["status": "ok"]) }
        let readiness = readiness
        api.on(Readyz.operation) { _, _ in
            guard await readiness.isReady() else {
                throw APIError(.unavailable, code: "Readiness.NotReady", detail: "the database schema is not at the latest migration")
            }
            return try JSONResponse.make(["status": "ready"])
        }
        identity.registerValidateRoute(on: api, authenticator: authenticator)
        APIDocuments.register("openapi", on: api.group)
        let authenticator = authenticator
        let protected = api.adding(
            middleware: AuthenticationMiddleware { .organization(try await authenticator.authenticateOrganization(authorization: $0)) }
        )
        identity.registerCoreRoutes(on: protected)
        customers.registerRoutes(on: protected)
        connectors.registerRoutes(on: protected)
        entitlements.registerRoutes(on: protected)
        featureFlags.registerRoutes(on: protected)
        licenses.registerRoutes(on: protected)
        instances.registerRoutes(on: protected)
        deployments.registerRoutes(on: protected)
        metadataFields.registerRoutes(on: protected)
        auditTrail.registerRoutes(on: protected)
        webhooks.registerRoutes(on: protected)
        // OFREP at the root too (see registerOFREPRoutes); aliases, not operations of the served document.
        let root = OperationRouter(group: listener.router.group(), catalog: OperationCatalog()).adding(
            middleware: AuthenticationMiddleware { .organization(try await authenticator.authenticateOrganization(authorization: $0)) }
        )
        featureFlags.registerOFREPRoutes(on: root)
        console.registerRoutes(on: listener.router)
        return listener
    }

    /// The Platform API under `/api`, on its own listener: `ksm_` credentials only; and the process's metrics.
    func platformListener() -> Listener {
        let listener = Listener()
        MetricsEndpoint.register(on: listener.router)
        APIDocuments.register("platform-openapi", on: listener.api.group)
        let authenticator = authenticator
        let protected = listener.api.adding(
            middleware: AuthenticationMiddleware { .platform(try await authenticator.authenticatePlatform(authorization: $0)) }
        )
        identity.registerPlatformRoutes(on: protected)
        connectors.registerPlatformRoutes(on: protected)
        return listener
    }
}

/// One listener's router and the operations registered on it.
struct Listener {
    let router = Router(context: KaitenRequestContext.self)
    let operations = OperationCatalog()
    let api: OperationRouter

    init() {
        // Outermost, so a request's duration and status are what the client got, problems included.
        router.add(middleware: MetricsMiddleware())
        // Outside the problem middleware, so a refused request's span records the status the client got.
        router.add(middleware: RequestTracingMiddleware())
        router.add(middleware: ProblemMiddleware(catalog: operations))
        router.add(middleware: RequestLoggerMiddleware())
        api = OperationRouter(group: router.group("api"), catalog: operations)
    }
}

/// The probes an orchestrator polls.
enum Healthz {
    static let operation = APIOperation("healthz", .get, "/healthz")
}

enum Readyz {
    static let operation = APIOperation("readyz", .get, "/readyz")
}
