import KaitenCore
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    struct Refused: Error, Equatable {
        let request: Int
    }

    /// Records every batch and holds the first one until released, so that requests can queue behind it.
    final class Store: Sendable {
        let batches = Mutex<[[Int]]>([])
        let release: AsyncStream<Void>
        private let releaser: AsyncStream<Void>.Continuation

        init() {
            (release, releaser) = AsyncStream.makeStream()
        }

        func open() { releaser.yield() }

        func perform(_ key: String, _ requests: [Int]) async -> [Result<String, any Error>] {
            let isFirst = batches.withLock { batches in
                batches.append(requests)
                return batches.count == 1
            }
            if isFirst {
                var iterator = release.makeAsyncIterator()
                _ = await iterator.next()
            }
            return requests.map { $0 < 0 ? .failure(Refused(request: $0)) : .success("\(key):\($0)") }
        }
    }

    @Test func aLoneRequestRunsAtOnceAndTheOnesArrivingMeanwhileShareTheNextBatch() async throws {
        let store = Store()
        let commit = GroupCommit<String, Int, String>(maximumBatch: 3) { key, requests in await store.perform(key, requests) }
        try await withThrowingTaskGroup(of: (Int, Result<String, Refused>).self) { group in
            group.addTask { (0, .success(try await commit.submit(0, for: "a"))) }
            try await eventually { store.batches.withLock { $0.count } == 1 }
            for request in [1, -2, 3, 4] {
                group.addTask {
                    do { return (request, .success(try await commit.submit(request, for: "a"))) } catch let refused as Refused {
                        return (request, .failure(refused))
                    }
                }
            }
            // Another key is not held up by the batch running for "a".
            #expect(try await commit.submit(7, for: "b") == "b:7")
            try await eventually { commit.waitingCount(for: "a") == 4 }
            store.open()
            var results: [Int: Result<String, Refused>] = [:]
            for try await (request, result) in group { results[request] = result }
            #expect(results[0] == .success("a:0") && results[1] == .success("a:1") && results[3] == .success("a:3"))
            #expect(results[-2] == .failure(Refused(request: -2)), "a failing request fails alone")
            #expect(results[4] == .success("a:4"))
        }
        let batches = store.batches.withLock { $0 }
        #expect(batches.first == [0] && batches.dropFirst().first == [7])
        let queued = batches.dropFirst(2)
        #expect(queued.map(\.count) == [3, 1], "four waiting requests, at most three to a batch")
        #expect(Set(queued.joined()) == [1, -2, 3, 4])
    }
}
