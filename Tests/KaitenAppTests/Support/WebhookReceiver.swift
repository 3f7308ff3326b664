import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A local HTTP server standing in for customers' webhook endpoints: each path answers as scripted and every
/// request is recorded, with when it arrived by the clock the test runs the delivery service on.
actor WebhookReceiver {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: [UInt8]
        /// When it arrived, since the receiver started, by the receiver's clock.
        let at: Duration

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        /// Answer only once the test opens the path (``open(_:)``): a receiver as slow as the test wants.
        var held = false
        var body = "ok"
        var headers: [String: String] = [:]
    }

    private(set) var received: [Received] = []
    private var scripted: [String: [Answer]] = [:]
    private var standing: [String: Answer] = [:]
    private var opened: Set<String> = []
    private var holding: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var inFlight: [String: Int] = [:]
    private var mostInFlight: [String: Int] = [:]
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

    /// How many requests to `path` were unanswered at the same time, at most.
    func concurrency(of path: String) -> Int { mostInFlight[path] ?? 0 }

    /// How many requests to `path` are waiting for their held answer.
    func heldCount(_ path: String) -> Int { holding[path]?.count ?? 0 }

    /// Lets the held answers of `path` go, now and from now on.
    func open(_ path: String) {
        opened.insert(path)
        for waiter in holding.removeValue(forKey: path) ?? [] { waiter.resume() }
    }

    fileprivate func openAll() {
        for path in holding.keys { open(path) }
    }

    fileprivate func hold(_ path: String) async {
        guard !opened.contains(path) else { return }
        await withCheckedContinuation { holding[path, default: []].append($0) }
    }

    fileprivate func answered(_ path: String) { inFlight[path, default: 0] -= 1 }

    fileprivate func record(_ request: Received) -> Answer {
        received.append(request)
        inFlight[request.path, default: 0] += 1
        mostInFlight[request.path] = max(mostInFlight[request.path] ?? 0, inFlight[request.path] ?? 0)
        if var queue = scripted[request.path], !queue.isEmpty {
            let answer = queue.removeFirst()
            scripted[request.path] = queue
            return answer
        }
        return standing[request.path] ?? Answer()
    }

    /// Runs `body` with a receiver listening on a free loopback port, stamping arrivals with `clock`.
    static func with<T: Sendable, C: Clock<Duration>>(
        clock: C = ContinuousClock(), _ body: @Sendable (WebhookReceiver) async throws -> T
    ) async throws -> T {
        let start = clock.now
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
            let path = request.uri.path
            let answer = await receiver.record(Received(path: path, headers: headers, body: bytes, at: start.duration(to: clock.now)))
            if answer.held { await receiver.hold(path) }
            await receiver.answered(path)
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
            do {
                let result = try await body(receiver)
                await receiver.openAll()
                return result
            } catch {
                // A held request would keep the server from stopping.
                await receiver.openAll()
                throw error
            }
        }
    }
}

private actor ReceiverBox {
    var receiver: WebhookReceiver?
    func set(_ receiver: WebhookReceiver) { self.receiver = receiver }
}
