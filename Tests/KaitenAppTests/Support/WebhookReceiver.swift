import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A local HTTP server standing in for customers' webhook endpoints: each path answers as scripted and every
/// request is recorded.
actor WebhookReceiver {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: [UInt8]
        let at: ContinuousClock.Instant

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var delay: Duration = .zero
        var body = "ok"
        var headers: [String: String] = [:]
    }

    private(set) var received: [Received] = []
    private var scripted: [String: [Answer]] = [:]
    private var standing: [String: Answer] = [:]
    nonisolated let port: Int

    private init(port: Int) {
        self.port = port
    }

    nonisolated func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The next answers of `path`, in order, before its standing answer applies again.
    func script(_ path: String, _ answers: [Answer]) { scripted[path, default: []].append(contentsOf: answers) }

    /// How `path` answers once its script is used up (200 by default).
    func answer(_ path: String, with answer: Answer) { standing[path] = answer }

    func requests(to path: String) -> [Received] { received.filter { $0.path == path } }

    /// How many requests each path received, in the order given.
    func counts(_ paths: String...) -> [Int] { paths.map { requests(to: $0).count } }

    fileprivate func record(_ request: Received) -> Answer {
        received.append(request)
        if var queue = scripted[request.path], !queue.isEmpty {
            let answer = queue.removeFirst()
            scripted[request.path] = queue
            return answer
        }
        return standing[request.path] ?? Answer()
    }

    /// Runs `body` with a receiver listening on a free loopback port.
    static func with<T: Sendable>(_ body: @Sendable (WebhookReceiver) async throws -> T) async throws -> T {
        let bound = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "webhook-receiver")
        quiet.logLevel = .critical
        let box = ReceiverBox()
        let router = Router()
        router.post("**") { request, context -> Response in
            let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let receiver = await box.receiver!
            let answer = await receiver.record(Received(path: request.uri.path, headers: headers, body: bytes, at: .now))
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            var answerHeaders = HTTPFields()
            for (name, value) in answer.headers { answerHeaders[HTTPField.Name(name)!] = value }
            return Response(status: answer.status, headers: answerHeaders, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: quiet
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var ports = bound.stream.makeAsyncIterator()
            let receiver = WebhookReceiver(port: await ports.next() ?? 0)
            await box.set(receiver)
            defer { group.cancelAll() }
            return try await body(receiver)
        }
    }
}

private actor ReceiverBox {
    var receiver: WebhookReceiver?
    func set(_ receiver: WebhookReceiver) { self.receiver = receiver }
}
