import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
@testable import KaitenWebhooks
import Testing

/// Fan-out, signed delivery, the retry schedule, disabling, order and isolation, and surviving a restart,
/// against real HTTP receivers on loopback.
@Suite struct WebhookDeliveryTests {
    @Test func eventsFanOutToMatchingEndpointsSignedWithTheContractEnvelope() async throws {
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                let everything = try await harness.createEndpoint(receiver.url("/all"))
                let created = try await harness.createEndpoint(receiver.url("/created"), eventTypes: ["com.kaiten.customer.v1.created"])
                let disabled = try await harness.createEndpoint(receiver.url("/disabled"))
                _ = try await harness.kaiten.core.json(.put, "/api/webhooks/endpoints/\(disabled.id)", token: harness.token, body: ["url": .string(receiver.url("/disabled")), "enabled": false])
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
                let outboxID = try await harness.kaiten.database.client.first(
                    "SELECT id FROM outbox_events WHERE event_name = 'CUSTOMER_CREATED'", as: UUID.self, logger: harness.kaiten.database.logger
                )
                #expect(only.headers["svix-id"] == outboxID?.lowercased)
                #expect(await receiver.requests(to: "/disabled").isEmpty)
                let messages = try await harness.items("/api/webhooks/endpoints/\(everything.id)/messages")
                #expect(messages.map { $0["status"] } == ["succeeded", "succeeded"])
            }
        }
    }

    @Test func aReceiverFailingThreeTimesGetsFourAttemptsSpacedByTheSchedule() async throws {
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/flaky"))
                await receiver.script("/flaky", [.init(status: .internalServerError, body: "boom"), .init(status: .badGateway), .init(status: .serviceUnavailable)])
                try await harness.createCustomer("Initech")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the fourth attempt") { await receiver.requests(to: "/flaky").count == 4 }
                    try await harness.eventually("the success recorded") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").first?["succeeded"] == .bool(true)
                    }
                }
                let arrivals = await receiver.requests(to: "/flaky").map(\.at)
                for (index, expected) in [Duration.milliseconds(300), .milliseconds(600), .milliseconds(900)].enumerated() {
                    let gap = arrivals[index + 1] - arrivals[index]
                    // Never earlier than the schedule says; the generous upper bound only catches a schedule not
                    // followed at all, since a loaded 2-core machine delays polling and claims.
                    #expect(gap >= expected && gap < expected + .seconds(3), "gap \(index + 1): \(gap)")
                }
                #expect(Set(await receiver.requests(to: "/flaky").compactMap { $0.headers["svix-id"] }).count == 1)
                let attempts = try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").reversed()
                #expect(attempts.map { $0["responseStatusCode"] } == [500, 502, 503, 200])
                #expect(attempts.map { $0["attemptNumber"] } == [1, 2, 3, 4])
                #expect(attempts.first?["responseBody"] == "boom")
                #expect(attempts.allSatisfy { $0["durationMs"]?.doubleValue != nil && $0["trigger"] == "scheduled" })
            }
        }
    }

    @Test func aReceiverCanSlowRetriesDownWithinLimitsOrAbortThem() async throws {
        var configuration = WebhookHarness.configuration()
        configuration.overloadDelay = .milliseconds(1500)
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with { receiver in
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
                    try await harness.eventually("both retried endpoints served") { await receiver.counts("/throttled", "/overloaded") == [2, 2] }
                    try await harness.eventually("the aborted message failed") {
                        try await harness.items("/api/webhooks/endpoints/\(aborting.id)/messages?status=failed").count == 1
                    }
                    try await Task.sleep(for: .milliseconds(700))
                }
                for (path, expected) in [("/throttled", Duration.milliseconds(600)), ("/overloaded", .milliseconds(1500))] {
                    let arrivals = await receiver.requests(to: path).map(\.at)
                    let gap = arrivals[1] - arrivals[0]
                    #expect(gap >= expected && gap < expected + .seconds(3), "\(path): \(gap)")
                }
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
        try await WebhookHarness.run { harness in
            try await WebhookReceiver.with { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/gone"))
                await receiver.answer("/gone", with: .init(status: .gone))
                try await harness.createCustomer("Hooli")
                try await harness.createCustomer("Pied Piper")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the endpoint disabled") {
                        try await harness.get("/api/webhooks/endpoints/\(endpoint.id)").json?["enabled"] == .bool(false)
                    }
                    try await Task.sleep(for: .milliseconds(300))
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
        var configuration = WebhookHarness.configuration(schedule: [.zero, .milliseconds(200), .milliseconds(200)])
        // Long enough that the first message exhausts its 0.4 s schedule before the window closes, even on a
        // loaded machine: an endpoint disabled first would leave it pending.
        configuration.disableAfter = .seconds(5)
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/down"))
                await receiver.answer("/down", with: .init(status: .internalServerError))
                try await harness.createCustomer("Umbrella")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the first message failed") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=failed").count == 1
                    }
                    #expect(await receiver.requests(to: "/down").count == 3)
                    try await Task.sleep(for: .milliseconds(5100))
                    try await harness.createCustomer("Cyberdyne")
                    try await harness.fanOut()
                    try await harness.eventually("the endpoint disabled") {
                        try await harness.get("/api/webhooks/endpoints/\(endpoint.id)").json?["enabled"] == .bool(false)
                    }
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
                await receiver.answer("/slow", with: .init(delay: .milliseconds(700)))
                let names = (1...6).map { "Customer \($0)" }
                for name in names { try await harness.createCustomer(name) }
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the fast endpoint served") { await receiver.requests(to: "/fast").count == 6 }
                    // The fast endpoint is done while the slow one (6 × 700 ms) is still on its way.
                    #expect(await receiver.requests(to: "/slow").count < 6)
                    try await harness.eventually("the slow endpoint served") { await receiver.requests(to: "/slow").count == 6 }
                }
                for path in ["/fast", "/slow"] {
                    let order = await receiver.requests(to: path).map { ($0.json?["data"] as? [String: Any])?["name"] as? String }
                    #expect(order == names, "\(path) order")
                }
                let slow = await receiver.requests(to: "/slow").map(\.at)
                #expect(zip(slow, slow.dropFirst()).allSatisfy { $1 - $0 >= .milliseconds(700) }, "one request at a time")
            }
        }
    }

    /// Attempts to a throttled endpoint start no closer together than its rate allows, also when its lease
    /// is given back and claimed again between them; an unthrottled endpoint beside it is not held up.
    @Test func aThrottledEndpointIsPacedAcrossLeasesAndHoldsNoOtherUp() async throws {
        var configuration = WebhookHarness.configuration()
        configuration.deliveriesPerLease = 2
        try await WebhookHarness.run(configuration) { harness in
            try await WebhookReceiver.with { receiver in
                _ = try await harness.createEndpoint(receiver.url("/throttled"), throttleRate: 3)
                _ = try await harness.createEndpoint(receiver.url("/free"))
                for n in 1...6 { try await harness.createCustomer("Customer \(n)") }
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the free endpoint served") { await receiver.requests(to: "/free").count == 6 }
                    #expect(await receiver.requests(to: "/throttled").count < 6)
                    try await harness.eventually("the throttled endpoint served") { await receiver.requests(to: "/throttled").count == 6 }
                }
                let arrivals = await receiver.requests(to: "/throttled").map(\.at)
                // Attempts are allowed every 333 ms. One that starts late does not push the next allowed instant
                // back (the rate would fall short), so two may come closer than that, but never three within it.
                // Arrivals also carry each request's own latency.
                #expect(arrivals[5] - arrivals[0] >= .milliseconds(1_550), "6 attempts at 3/s span 1.67 s")
                #expect(zip(arrivals, arrivals.dropFirst(2)).allSatisfy { $1 - $0 >= .milliseconds(250) })
            }
        }
    }

    @Test func aDeliveryWaitingForItsRetryCompletesAfterTheServiceRestarts() async throws {
        try await WebhookHarness.run(WebhookHarness.configuration(schedule: [.zero, .seconds(2)])) { harness in
            try await WebhookReceiver.with { receiver in
                let endpoint = try await harness.createEndpoint(receiver.url("/restart"))
                await receiver.script("/restart", [.init(status: .serviceUnavailable)])
                try await harness.createCustomer("Tyrell")
                try await harness.fanOut()
                try await harness.delivering {
                    try await harness.eventually("the first attempt recorded") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts").count == 1
                    }
                }
                #expect(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=pending").count == 1)
                try await harness.delivering {
                    try await harness.eventually("delivered after the restart") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=succeeded").count == 1
                    }
                }
                #expect(await receiver.requests(to: "/restart").count == 2)
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
                    let failed = try #require(try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/messages?status=failed").first?["id"]?.stringValue)
                    let retried = try await harness.kaiten.core.json(.post, "/api/webhooks/endpoints/\(endpoint.id)/messages/\(failed)/retry", token: harness.token)
                    #expect(retried.status == .accepted)
                    try await harness.eventually("the retry delivered") {
                        try await harness.items("/api/webhooks/endpoints/\(endpoint.id)/attempts?messageId=\(failed)").first?["trigger"] == "manual"
                    }
                    let replayed = try await harness.kaiten.core.json(
                        .post, "/api/webhooks/endpoints/\(endpoint.id)/replay", token: harness.token, body: ["since": .string(Timestamp.format(before))]
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
                let unknown = try await harness.kaiten.core.json(.post, "/api/webhooks/endpoints/\(endpoint.id)/messages/\(UUID())/retry", token: harness.token)
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
