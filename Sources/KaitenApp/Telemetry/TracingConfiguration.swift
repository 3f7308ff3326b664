import Foundation

/// Whether and where a role sends its traces: OpenTelemetry over OTLP/HTTP, with the keys Kaiten's Go server
/// reads.
///
/// - Configuration keys (environment):
///   - `OTEL_ENABLED` (`1`/`true` or `0`/`false`, default off): record and export traces.
///   - `OTEL_TRACES_SAMPLING_RATIO` (a number, default 1, clamped to 0…1): the share of new traces kept; a trace
///     a caller started keeps its caller's decision (parent-based sampling).
///   - `OTEL_SERVICE_NAME` (default the role's: `kaiten-api`, `kaiten-relay` or `kaiten-worker`).
///   - The OpenTelemetry SDK's standard keys, read by swift-otel: `OTEL_EXPORTER_OTLP_ENDPOINT` (default
///     `http://localhost:4318`), `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf` or `http/json`),
///     `OTEL_EXPORTER_OTLP_HEADERS` (an `Authorization` header, say), `OTEL_EXPORTER_OTLP_INSECURE`,
///     `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_BSP_*` (batching) and `OTEL_TRACES_SAMPLER` (overrides the ratio).
package struct TracingConfiguration: Sendable {
    package var enabled = false
    package var samplingRatio = 1.0
    /// The `OTEL_*` keys as given, for the SDK's own.
    package var environment: [String: String] = [:]

    package static let disabled = TracingConfiguration()

    private init() {}

    package init(environment: [String: String]) throws {
        switch environment["OTEL_ENABLED"]?.lowercased() {
        case nil, "", "0", "false": enabled = false
        case "1", "true": enabled = true
        default: throw ConfigurationError.invalid("OTEL_ENABLED", "expected 1, 0, true or false")
        }
        if let text = environment["OTEL_TRACES_SAMPLING_RATIO"] {
            guard let ratio = Double(text), ratio.isFinite else {
                throw ConfigurationError.invalid("OTEL_TRACES_SAMPLING_RATIO", "expected a number from 0 to 1")
            }
            samplingRatio = min(max(ratio, 0), 1)
        }
        self.environment = environment.filter { $0.key.hasPrefix("OTEL_") }
    }
}
