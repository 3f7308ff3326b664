import Foundation
import HTTPTypes
import KaitenCore
import KaitenTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import KaitenWebhooks

/// Fan-out, signed delivery, the retry schedule, disabling, order and isolation, and surviving a restart,
/// against real HTTP receivers on loopback.
@Suite struct WebhookDeliveryTests {
    @Test func eventsFanOutToMatchingEndpointsSignedWithTheContractEnvelope() async throws {
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                let everything = try await harness.createEndpoint(receiver.url("/all"))
                let created = try await harness.createEndpoint(receiver.url("/created"), eventTypes: ["com.kaiten.customer.v1.created"])
                let disabled = try await harness.createEndpoint(receiver.url("/disabled"))
                _ = try await harness.kaiten.core.json(
                    .put, "/api/webhooks/endpoints/\(disabled.id)", token: harness.token,
                    body: ["url": .string(receiver.url("/disabled")), "enabled": false])
                let slug = try await harness.createCustomer("Globex")
                _ = try await harness.kaiten.core.json(.put, "/api/customers/\(slug)", token: harness.token, body: ["name": "Globex Corp"])
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("both endpoints served") { await receiver.counts("/all", "/created") == [2, 1] }
                }
                let all = await receiver.requests(to: "/all")
                #expect(all.map { $0.json?["name"] as? String } == ["CUSTOMER_CREATED", "CUSTOMER_UPDATED"])
                #expect(all.map { $0.json?["type"] as? String } == ["com.kaiten.customer.v1.created", "com.kaiten.customer.v1.updated"])
                #expect(all.allSatisfy { Set(($0.json ?? [:]).keys) == ["name", "type", "data"] })
                #expect((all[1].json?["data"] as? [String: Any])?["name"] as? String == "Globex Corp")
                #expect(all.allSatisfy { $0.isSigned(with: everything.secret) && !$0.isSigned(with: created.secret) })
                #expect(all.allSatisfy { $0.headers["content-type"] == "application/json" })
                let only = try #require(await receiver.requests(to: "/created").first)
                #expect(only.isSigned(with: created.secret))
                #expect(only.headers["svix-id"] == all[0].headers["svix-id"])
                #expect(only.headers["webhook-id"] == only.headers["svix-id"] && only.headers["webhook-signature"] == only.headers["svix-signature"])
                let outboxID = try await harness.kaiten.database.first(
                    "SELECT id FROM outbox_events WHERE event_name = 'CUSTOMER_CREATED'", as: UUID.self, logger: harness.kaiten.database.logger
                )
                #expect(only.headers["svix-id"] == outboxID?.lowercased)
                #expect(await receiver.requests(to: "/disabled").isEmpty)
                let messages = try await harness.items("/api/webhooks/endpoints/\(everything.id)/messages")
                #expect(messages.map { $0["status"] } == ["succeeded", "succeeded"])
            }
        }
    }

    @Test func anIdleDeliveryServiceSendsAFanOutAsItCommitsNotAtItsNextLook() async throws {
        var configuration = WebhookHarness.configuration()
        configuration.pollInterval = .seconds(3600)
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with { receiver in
                _ = try await harness.createEndpoint(receiver.url("/woken"))
                try await harness.delivering {
                    try await harness.createCustomer("Globex")
                    try await harness.fanOut()
                    try await harness.eventually("the delivery, long before the service's hourly look") { await receiver.counts("/woken") == [1] }
                }
            }
        }
    }

    @Test func aReceiverFailingThreeTimesGetsFourAttemptsAtTheInstantsOfTheSchedule() async throws {
        let clock = ManualClock()
        try await WebhookHarness.run(WebhookHarness.configuration(clock: clock)) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/flaky"))
                await receiver.script(
                    "/flaky", [.init(status: .internalServerError, body: "boom"), .init(status: .badGateway), .init(status: .serviceUnavailable)])
                try await harness.createCustomer("Initech")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.settle()
                    #expect(await receiver.requests(to: "/flaky").count == 1)
                    // 300, 600 and 900 ms after each failure: due 300 ms, 900 ms and 1.8 s after the first attempt.
                    for (made, due) in [(1, Duration.milliseconds(300)), (2, .milliseconds(900)), (3, .milliseconds(1800))] {
                        try await harness.advance(to: due - .milliseconds(1))
                        #expect(await receiver.requests(to: "/flaky").count == made, "nothing before \(due)")
                        try await harness.advance(to: due)
                        #expect(await receiver.requests(to: "/flaky").count == made + 1, "attempt \(made + 1) at \(due)")
                    }
                }
                #expect(await receiver.requests(to: "/flaky").map(\.at) == [.zero, .milliseconds(300), .milliseconds(900), .milliseconds(1800)])
                #expect(Set(await receiver.requests(to: "/flaky").compactMap { $0.headers["svix-id"] }).count == 1)
                let attempts = try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").reversed()
                #expect(attempts.map { $0["responseStatusCode"] } == [500, 502, 503, 200])
                #expect(attempts.map { $0["attemptNumber"] } == [1, 2, 3, 4])
                #expect(attempts.first?["responseBody"] == "boom")
                #expect(attempts.allSatisfy { $0["durationMs"]?.doubleValue != nil && $0["trigger"] == "scheduled" })
            }
        }
    }

    @Test func anEndpointWhoseNameStopsResolvingIsRetriedUntilItResolvesAndLoggedOnceAsItFailsAndOnceAsItRecovers() async throws {
        let clock = ManualClock()
        let dns = FakeDNS()
        var configuration = WebhookHarness.configuration(clock: clock)
        configuration.hostLookUp = HostLookUp { host in try dns.answer(host) }
        let log = CapturedLog()
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                let url = receiver.url("/named").replacingOccurrences(of: "127.0.0.1", with: "hooks.kaiten.test")
                let endpoint = try await harness.createEndpoint(url)
                try await harness.createCustomer("Umbrella")
                try await harness.fanOut()
                try await harness.delivering(logger: log.logger) {
                    try await harness.settle()
                    try await harness.advance(to: .milliseconds(300))
                    dns.resolving = true
                    try await harness.advance(to: .milliseconds(900))
                }
                #expect(
                    await receiver.requests(to: "/named").map(\.at) == [.milliseconds(900)], "delivered once, by the first attempt after DNS answered"
                )
                let attempts = try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").reversed()
                #expect(attempts.map { $0["responseStatusCode"] } == [nil, nil, 200])
                #expect(attempts.first?["error"]?.stringValue == "could not resolve hooks.kaiten.test: Name or service not known")
                let endpointLines = log.captured.filter { $0.metadata["kaiten.webhook_endpoint_id"] == "\(endpoint.id)" && $0.level > .debug }
                #expect(endpointLines.map(\.level) == [.warning, .info], "one line as the outage begins, one as it ends")
                #expect(endpointLines.first?.metadata["kaiten.error"] == "could not resolve hooks.kaiten.test: Name or service not known")
                #expect(endpointLines.last?.metadata["kaiten.failed_attempts"] == "2")
            }
        }
    }

    @Test func aReceiverCanSlowRetriesDownWithinLimitsOrAbortThem() async throws {
        let clock = ManualClock()
        var configuration = WebhookHarness.configuration(clock: clock)
        configuration.overloadDelay = .milliseconds(1500)
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                let throttled = try await harness.createEndpoint(receiver.url("/throttled"))
                let overloaded = try await harness.createEndpoint(receiver.url("/overloaded"))
                let aborting = try await harness.createEndpoint(receiver.url("/aborting"))
                // The schedule says 300 ms; an hour is held to twice that, and 429 waits the overload delay.
                await receiver.script("/throttled", [.init(status: .serviceUnavailable, headers: ["Retry-After": "3600"])])
                await receiver.script("/overloaded", [.init(status: .tooManyRequests)])
                await receiver.answer("/aborting", with: .init(status: .unprocessableContent, headers: ["webhook-delivery": "abort-message"]))
                try await harness.createCustomer("Tyrell")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.settle()
                    #expect(await receiver.counts("/throttled", "/overloaded", "/aborting") == [1, 1, 1])
                    #expect(try await harness.items("/api/webhooks/endpoints/\(aborting.id)/messages?status=failed").count == 1)
                    for (path, due) in [("/throttled", Duration.milliseconds(600)), ("/overloaded", .milliseconds(1500))] {
                        try await harness.advance(to: due - .milliseconds(1))
                        #expect(await receiver.requests(to: path).count == 1, "\(path): nothing before \(due)")
                        try await harness.advance(to: due)
                        #expect(await receiver.requests(to: path).count == 2, "\(path): the retry at \(due)")
                    }
                    // Past every retry the schedule has.
                    try await harness.advance(by: .seconds(3600))
                }
                #expect(await receiver.requests(to: "/throttled").map(\.at) == [.zero, .milliseconds(600)])
                #expect(await receiver.requests(to: "/overloaded").map(\.at) == [.zero, .milliseconds(1500)])
                #expect(await receiver.requests(to: "/aborting").count == 1, "no retry after abort-message")
                let attempt = try #require(try await harness.items("/api/webhooks/endpoints/\(aborting.id)/attempts").first)
                #expect(attempt["responseStatusCode"] == 422 && attempt["succeeded"] == .bool(false))
                let endpoint = try await harness.get("/api/webhooks/endpoints/\(aborting.id)").json
                #expect(endpoint?["enabled"] == .bool(true))
                for id in [throttled.id, overloaded.id] {
                    #expect(try await harness.items("/api/webhooks/endpoints/\(id)/messages").map { $0["status"] } == ["succeeded"])
                }
            }
        }
    }

    @Test func a410DisablesTheEndpointAndSaysWhy() async throws {
        let clock = ManualClock()
        try await WebhookHarness.run(WebhookHarness.configuration(clock: clock)) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/gone"))
                await receiver.answer("/gone", with: .init(status: .gone))
                try await harness.createCustomer("Hooli")
                try await harness.createCustomer("Pied Piper")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.settle()
                    #expect(try await harness.get("/api/webhooks/endpoints/\(endpoint.id)").json?["enabled"] == .bool(false))
                    // Past every retry the schedule has: a disabled endpoint gets nothing more.
                    try await harness.advance(by: .seconds(3600))
                }
                let read = try await harness.get("/api/webhooks/endpoints/\(endpoint.id)")
                #expect(read.json?["disabledReason"] == "the endpoint answered 410 Gone")
                #expect(await receiver.requests(to: "/gone").count == 1)
                let failed = try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=failed")
                #expect(failed.count == 1)
            }
        }
    }

    @Test func anEndpointFailingLongerThanTheWindowIsDisabledAndAnExhaustedMessageFails() async throws {
        let clock = ManualClock()
        var configuration = WebhookHarness.configuration(schedule: [.zero, .milliseconds(200), .milliseconds(200)], clock: clock)
        configuration.disableAfter = .seconds(1)
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/down"))
                await receiver.answer("/down", with: .init(status: .internalServerError))
                try await harness.createCustomer("Umbrella")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.settle()
                    try await harness.advance(to: .milliseconds(200))
                    try await harness.advance(to: .milliseconds(400))
                    // The schedule is used up within the window: the message failed, the endpoint is still enabled.
                    #expect(await receiver.requests(to: "/down").count == 3)
                    #expect(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=failed").count == 1)
                    #expect(try await harness.get("/api/webhooks/endpoints/\(endpoint.id)").json?["enabled"] == .bool(true))
                    try await harness.advance(to: .seconds(1))
                    try await harness.createCustomer("Cyberdyne")
                    try await harness.fanOut()
                    // The next failure, once every attempt failed for the window, disables the endpoint; it is sent
                    // as the fan-out wakes the service, or at the next look on the clock, whichever comes first.
                    try await harness.advance(by: .milliseconds(1))
                    #expect(await receiver.requests(to: "/down").count == 4)
                    #expect(try await harness.get("/api/webhooks/endpoints/\(endpoint.id)").json?["enabled"] == .bool(false))
                }
                let read = try await harness.get("/api/webhooks/endpoints/\(endpoint.id)")
                #expect(read.json?["disabledReason"]?.stringValue?.hasPrefix("every attempt failed for") == true)
            }
        }
    }

    @Test func eachEndpointGetsEventsInOrderAndASlowOneDelaysNoOther() async throws {
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                _ = try await harness.createEndpoint(receiver.url("/slow"))
                _ = try await harness.createEndpoint(receiver.url("/fast"))
                // The slow endpoint answers only when the test lets it: as slow as it needs to be, on any machine.
                await receiver.answer("/slow", with: .init(held: true))
                let names = (1...6).map { "Customer \($0)" }
                for name in names { try await harness.createCustomer(name) }
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the fast endpoint served while the slow one holds its first request") {
                        let (counts, held) = (await receiver.counts("/fast", "/slow"), await receiver.heldCount("/slow"))
                        return counts == [6, 1] && held == 1
                    }
                    await receiver.open("/slow")
                    try await harness.eventually("the slow endpoint served") { await receiver.requests(to: "/slow").count == 6 }
                }
                for path in ["/fast", "/slow"] {
                    let order = await receiver.requests(to: path).map { ($0.json?["data"] as? [String: Any])?["name"] as? String }
                    #expect(order == names, "\(path) order")
                }
                #expect(await receiver.concurrency(of: "/slow") == 1, "one request at a time")
            }
        }
    }

    /// Attempts to a throttled endpoint are never closer together than its rate allows, also when its lease is
    /// given back and claimed again between them; an unthrottled endpoint beside it is not held up.
    @Test func aThrottledEndpointIsPacedAcrossLeasesAndHoldsNoOtherUp() async throws {
        let clock = ManualClock()
        var configuration = WebhookHarness.configuration(clock: clock)
        configuration.deliveriesPerLease = 3
        let pollInterval = Duration.milliseconds(50)
        configuration.pollInterval = pollInterval
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                _ = try await harness.createEndpoint(receiver.url("/throttled"), throttleRate: 5)
                _ = try await harness.createEndpoint(receiver.url("/free"))
                for n in 1...8 { try await harness.createCustomer("Customer \(n)") }
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.settle()
                    // Every sleeper's deadline in turn, none skipped: the service is never late for an instant it waits for.
                    while await receiver.requests(to: "/throttled").count < 8 {
                        let next = try #require(clock.nextDeadline, "the service waits for nothing with deliveries left")
                        try #require(next.offset < .seconds(10), "eight attempts at 5/s take less than 10 s")
                        try await harness.advance(to: next.offset)
                    }
                }
                let interval = Duration.milliseconds(200)
                let arrivals = await receiver.requests(to: "/throttled").map(\.at)
                #expect(zip(arrivals, arrivals.dropFirst()).allSatisfy { $1 - $0 >= interval }, "no two attempts within 200 ms: \(arrivals)")
                // A lease given back is claimed again at the first look after the pause: a poll interval each time.
                #expect(arrivals[7] - arrivals[0] <= interval * 7 + pollInterval * 2, "8 attempts at 5/s: \(arrivals)")
                let free = await receiver.requests(to: "/free").map(\.at)
                #expect(free.count == 8 && free[7] < arrivals[1], "the free endpoint is served before the throttled one's second attempt: \(free)")
            }
        }
    }

    @Test func aDeliveryWaitingForItsRetryCompletesAfterTheServiceRestarts() async throws {
        let clock = ManualClock()
        try await WebhookHarness.run(WebhookHarness.configuration(schedule: [.zero, .seconds(2)], clock: clock)) { harness in
            try await WebhookReceiver.with(clock: clock) { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/restart"))
                await receiver.script("/restart", [.init(status: .serviceUnavailable)])
                try await harness.createCustomer("Tyrell")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.settle()
                    #expect(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").count == 1)
                }
                #expect(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=pending").count == 1)
                try await harness.delivering {
                    try await harness.settle()
                    #expect(await receiver.requests(to: "/restart").count == 1, "the retry is not due yet")
                    try await harness.advance(to: .seconds(2))
                }
                #expect(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=succeeded").count == 1)
                #expect(await receiver.requests(to: "/restart").map(\.at) == [.zero, .seconds(2)])
            }
        }
    }

    @Test func retryReplayAndTestMessagesResendOnDemand() async throws {
        try await WebhookHarness.run(WebhookHarness.configuration(schedule: [.zero])) { harness in
            try await WebhookReceiver.with { receiver in
                let before = Date()
                let endpoint = try await harness.createEndpoint(receiver.url("/ops"))
                await receiver.script("/ops", [.init(status: .internalServerError)])
                try await harness.createCustomer("Soylent")
                try await harness.createCustomer("Wonka")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("one failed, one succeeded") {
                        let failed = try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=failed").count
                        let succeeded = try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=succeeded").count
                        return failed == 1 && succeeded == 1
                    }
                    let failed = try #require(
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=failed").first?["id"]?.stringValue)
                    let retried = try await harness.kaiten.core.json(
                        .post, "/api/webhooks/endpoints/\(endpoint.id)/messages/\(failed)/retry", token: harness.token)
                    #expect(retried.status == .accepted)
                    try await harness.eventually("the retry delivered") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts?messageId=\(failed)").first?["trigger"] == "manual"
                    }
                    let replayed = try await harness.kaiten.core.json(
                        .post, "/api/webhooks/endpoints/\(endpoint.id)/replay", token: harness.token,
                        body: ["since": .string(Timestamp.format(before))]
                    )
                    #expect(replayed.status == .accepted)
                    #expect(replayed.json?["messages"] == 2)
                    try await harness.eventually("the replay delivered") { await receiver.requests(to: "/ops").count == 5 }
                    let test = try await harness.kaiten.core.json(.post, "/api/webhooks/endpoints/\(endpoint.id)/test", token: harness.token)
                    #expect(test.status == .accepted)
                    try await harness.eventually("the test message delivered") { await receiver.requests(to: "/ops").count == 6 }
                }
                let last = try #require(await receiver.requests(to: "/ops").last)
                #expect(last.json?["type"] as? String == "com.kaiten.webhook.v1.test")
                #expect(last.isSigned(with: endpoint.secret))
                let tooOld = try await harness.kaiten.core.json(
                    .post, "/api/webhooks/endpoints/\(endpoint.id)/replay", token: harness.token, body: ["since": "2000-01-01T00:00:00Z"]
                )
                #expect(tooOld.json?["code"] == "ReplayWebhookEndpoint.SinceTooOld")
                let unknown = try await harness.kaiten.core.json(
                    .post, "/api/webhooks/endpoints/\(endpoint.id)/messages/\(UUID())/retry", token: harness.token)
                #expect(unknown.status == .notFound)
            }
        }
    }

    @Test func afterRotationDeliveriesCarryBothSignatures() async throws {
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/rotating"))
                let rotated = try await harness.kaiten.core.json(.post, "/api/webhooks/endpoints/\(endpoint.id)/secret/rotate", token: harness.token)
                let next = try #require(rotated.json?["secret"]?.stringValue)
                try await harness.createCustomer("Stark")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("delivered") { await receiver.requests(to: "/rotating").count == 1 }
                }
                let request = try #require(await receiver.requests(to: "/rotating").first)
                #expect(request.isSigned(with: next) && request.isSigned(with: endpoint.secret))
                #expect(request.headers["svix-signature"]?.split(separator: " ").count == 2)
            }
        }
    }

    @Test func privateDestinationsAreRefusedAtDeliveryUnlessAllowed() async throws {
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/private"))
                try await harness.createCustomer("Wayne")
                try await harness.fanOut()
                var strict = harness.configuration
                strict.allowPrivateAddresses = false
                try await harness.delivering(strict) {
                    try await harness.eventually("the refusal recorded") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").count == 1
                    }
                }
                let attempt = try #require(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").first)
                #expect(attempt["error"]?.stringValue?.contains("127.0.0.1 is a loopback address") == true)
                #expect(attempt["responseStatusCode"] == nil)
                #expect(await receiver.requests(to: "/private").isEmpty)
            }
        }
    }
}

/// A DNS that answers one name with the loopback address once told to, and fails as a missing name does before.
private final class FakeDNS: Sendable {
    private let answering = Mutex(false)

    var resolving: Bool {
        get { answering.withLock { $0 } }
        set { answering.withLock { $0 = newValue } }
    }

    func answer(_ host: String) throws -> [IPAddress] {
        guard resolving else { throw AddressResolver.Failure.unresolvable(host: host, reason: "Name or service not known") }
        return [.v4([127, 0, 0, 1])]
    }
}
