import Hummingbird
import KaitenCore
import KaitenHTTP
import KaitenPipeline
import Logging

/// Dapr's pub/sub contract for the worker (`kaiten worker --transport dapr`): a Dapr sidecar that owns the
/// broker connection discovers the subscriptions at `GET /dapr/subscribe` and posts each message to its
/// route, as it does for Kaiten's Go API (component `rabbitmq-pubsub`, topic `kaiten.events`).
///
/// The handlers always answer 200 with Dapr's status: `SUCCESS` acknowledges, `RETRY` has Dapr redeliver
/// (by its resiliency policy), `DROP` discards, or dead-letters to `kaiten.events.dlq` where the
/// subscription names it.
enum DaprSubscription {
    static let pubsubName = "rabbitmq-pubsub"
    static let eventsRoute = "/dapr/cdc/events"
    static let deadLetterRoute = "/dapr/cdc/dead-letter"
    /// The largest message accepted; a larger one is dropped, as no Kaiten event comes near it.
    static let bodyLimit = 4 << 20

    enum Status: String {
        case success = "SUCCESS"
        case retry = "RETRY"
        case drop = "DROP"
    }

    static func router(dispatcher: EventDispatcher, exchange: KaitenExchange = .standard, logger: Logger) -> Router<KaitenRequestContext> {
        let router = Router(context: KaitenRequestContext.self)
        register(on: router, dispatcher: dispatcher, exchange: exchange, logger: logger)
        return router
    }

    static func register(on router: Router<KaitenRequestContext>, dispatcher: EventDispatcher, exchange: KaitenExchange = .standard, logger: Logger) {
        let subscriptions: JSONValue = .array([
            .object([
                "pubsubname": .string(pubsubName), "topic": .string(exchange.name), "route": .string(eventsRoute),
                "deadLetterTopic": .string(exchange.deadLetterExchange),
            ]),
            .object(["pubsubname": .string(pubsubName), "topic": .string(exchange.deadLetterExchange), "route": .string(deadLetterRoute)]),
        ])
        router.get("/dapr/subscribe") { _, _ in try JSONResponse.make(subscriptions) }
        router.post(RouterPath(eventsRoute)) { request, _ in
            let status: Status
            do {
                let envelope = try envelope(from: try await request.body.collect(upTo: bodyLimit).readableBytesView)
                switch await dispatcher.dispatch(envelope) {
                case .processed, .skipped: status = .success
                case .retry: status = .retry
                }
            } catch {
                logger.warning("dropping a message that is not a Kaiten event", metadata: ["kaiten.reason": "\(String(describing: error))"])
                status = .drop
            }
            return try JSONResponse.make(["status": status.rawValue])
        }
        router.post(RouterPath(deadLetterRoute)) { request, _ in
            let body = (try? await request.body.collect(upTo: bodyLimit)).map { String(buffer: $0) } ?? ""
            logger.error("an event was dead-lettered", metadata: ["kaiten.message": "\(body.prefix(2048))"])
            return try JSONResponse.make(["status": Status.success.rawValue])
        }
    }

    /// Reads what Dapr posts: the CloudEvent as it was on the bus (ours or Debezium Server's, which Dapr
    /// forwards as is, adding its `topic` and `pubsubname`), or Dapr's own CloudEvent around a message that was
    /// not one, with the original as `data` (an object, or a JSON string).
    static func envelope(from body: some Collection<UInt8>) throws -> CloudEventEnvelope {
        do {
            return try CloudEventEnvelope(bytes: body)
        } catch {
            guard case .object(let event)? = try? JSONValue.parse(body), let data = event["data"] else { throw error }
            let inner: String = if case .string(let text) = data { text } else { data.jsonText }
            guard let envelope = try? CloudEventEnvelope(bytes: Array(inner.utf8)) else { throw error }
            return envelope
        }
    }
}
