import Hummingbird
import KaitenHTTP
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The process's metrics in Prometheus' text format, at `/metrics`: on the Platform listener of `kaiten serve`
/// and `kaiten dev` (the listener operators already keep inside), and on a listener of its own for
/// `kaiten relay` and `kaiten worker` (`KAITEN_METRICS_PORT`).
enum MetricsEndpoint {
    /// Installs Prometheus as the process's metrics backend; swift-metrics takes one per process, so every role
    /// reads this once as it starts, and a second role in the same process (a benchmark) reuses it.
    static let bootstrapped: Void = MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

    static let registry = PrometheusCollectorRegistry()

    static func register(on router: Router<KaitenRequestContext>) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// A listener serving only `/metrics`, for the roles without an HTTP API.
    static func listener(host: String, port: Int, logger: Logger) -> some Service {
        let router = Router(context: KaitenRequestContext.self)
        register(on: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "kaiten-metrics"), logger: logger)
    }
}
