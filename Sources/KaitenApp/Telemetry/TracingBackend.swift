import Logging
import OTel
import ServiceLifecycle
import Synchronization

/// Installs the OpenTelemetry tracer a role's spans go to, and the service that exports them.
enum TracingBackend {
    /// swift-distributed-tracing takes one tracer per process: the first role to start with tracing on installs
    /// it, and a later role in the same process (a benchmark) records into it, exported while the first role's
    /// exporter runs.
    private static let installed = Mutex(false)

    /// The exporter's service, to run before the role's own (so it stops after them and sends their last
    /// spans); none when tracing is off.
    static func services(_ configuration: TracingConfiguration, serviceName: String, logger: Logger) throws -> [any Service] {
        guard configuration.enabled else { return [] }
        let first = installed.withLock { installed in
            defer { installed = true }
            return !installed
        }
        guard first else { return [] }
        var otel = OTel.Configuration.default
        otel.serviceName = serviceName
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.enabled = true
        otel.traces.exporter = .otlp
        otel.traces.otlpExporter.protocol = .httpProtobuf
        if let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration.parentBasedTraceIDRatio(ratio: configuration.samplingRatio) {
            otel.traces.sampler = sampler
        }
        otel.diagnosticLogger = .custom(logger)
        return [try OTel.bootstrap(configuration: otel, environment: configuration.environment)]
    }
}
