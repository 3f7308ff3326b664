// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What every domain module target depends on: the kernel, the shared HTTP edge and the two libraries
/// its operations are written with. A module never depends on another module.
let moduleDependencies: [Target.Dependency] = [
    "KaitenCore",
    "KaitenHTTP",
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "PostgresNIO", package: "postgres-nio"),
]

let package = Package(
    name: "kaiten",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kaiten", targets: ["kaiten"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // OTLP over HTTP only: the gRPC exporter's packages would double the build for a transport Kaiten does not use.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(
            name: "kaiten",
            dependencies: [
                "KaitenApp",
                "KaitenBenchmarks",
                "KaitenCore",
                "KaitenDevelopment",
                "KaitenPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenApp",
            dependencies: [
                "AMQPClient",
                "KaitenAuditTrail",
                "KaitenConnectors",
                "KaitenConsole",
                "KaitenCore",
                "KaitenCustomers",
                "KaitenDeployments",
                "KaitenEntitlements",
                "KaitenFeatureFlags",
                "KaitenHTTP",
                "KaitenIdentity",
                "KaitenInstances",
                "KaitenLicenses",
                "KaitenMetadataFields",
                "KaitenMigrations",
                "KaitenPipeline",
                "KaitenWebhooks",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenConsole",
            dependencies: [
                "KaitenAuditTrail",
                "KaitenCore",
                "KaitenCustomers",
                "KaitenDeployments",
                "KaitenEntitlements",
                "KaitenFeatureFlags",
                "KaitenHTTP",
                "KaitenIdentity",
                "KaitenInstances",
                "KaitenLicenses",
                "KaitenMetadataFields",
                "KaitenWebhooks",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenDevelopment",
            dependencies: [
                "EmbeddedServers",
                "KaitenApp",
                "KaitenCore",
                "KaitenIdentity",
                "KaitenMigrations",
                "KaitenWebhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenBenchmarks",
            dependencies: [
                "AMQPClient",
                "AMQPProtocol",
                "EmbeddedServers",
                "KaitenApp",
                "KaitenCore",
                "KaitenDevelopment",
                "KaitenIdentity",
                "KaitenMigrations",
                "KaitenPipeline",
                "KaitenWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenCore",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenHTTP",
            dependencies: [
                "KaitenCore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenIdentity",
            dependencies: moduleDependencies + [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenCustomers",
            dependencies: moduleDependencies,
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenConnectors",
            dependencies: moduleDependencies,
            swiftSettings: swiftSettings
        ),
        .target(name: "KaitenAuditTrail", dependencies: moduleDependencies, swiftSettings: swiftSettings),
        .target(
            name: "KaitenFeatureFlags",
            dependencies: moduleDependencies + [
                "CEL",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "KaitenEntitlements", dependencies: moduleDependencies, swiftSettings: swiftSettings),
        .target(name: "KaitenLicenses", dependencies: moduleDependencies, swiftSettings: swiftSettings),
        .target(name: "KaitenInstances", dependencies: moduleDependencies, swiftSettings: swiftSettings),
        .target(name: "KaitenDeployments", dependencies: moduleDependencies, swiftSettings: swiftSettings),
        .target(name: "KaitenMetadataFields", dependencies: moduleDependencies, swiftSettings: swiftSettings),
        .target(
            name: "KaitenWebhooks",
            dependencies: moduleDependencies + [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AMQPProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AMQPClient",
            dependencies: [
                "AMQPProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresReplicationProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresReplication",
            dependencies: [
                "PostgresReplicationProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenPipeline",
            dependencies: [
                "AMQPClient",
                "AMQPProtocol",
                "KaitenCore",
                "PostgresReplication",
                "PostgresReplicationProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CEL", swiftSettings: swiftSettings),
        .target(
            name: "KaitenTestSupport",
            dependencies: [
                "EmbeddedServers",
                "KaitenCore",
                "KaitenMigrations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaitenMigrations",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("SQL")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EmbeddedServers",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CELTests",
            dependencies: ["CEL"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaitenCoreTests",
            dependencies: [
                "EmbeddedServers",
                "KaitenCore",
                "KaitenTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AMQPTests",
            dependencies: [
                "AMQPClient",
                "AMQPProtocol",
                "EmbeddedServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresReplicationTests",
            dependencies: [
                "KaitenTestSupport",
                "PostgresReplication",
                "PostgresReplicationProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaitenPipelineTests",
            dependencies: ["AMQPClient", "KaitenCore", "KaitenPipeline", "KaitenTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaitenAppTests",
            dependencies: [
                "AMQPClient",
                "AMQPProtocol",
                "KaitenTestSupport",
                "EmbeddedServers",
                "KaitenApp",
                "KaitenAuditTrail",
                "KaitenConsole",
                "KaitenFeatureFlags",
                "KaitenPipeline",
                "KaitenCore",
                "KaitenHTTP",
                "KaitenIdentity",
                "KaitenMigrations",
                "KaitenWebhooks",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
