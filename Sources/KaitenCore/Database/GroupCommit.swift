import Synchronization

/// Group commit for writes that serialize on one key: while a transaction for a key runs, the requests for
/// that key that arrive wait, and the next transaction takes them together.
///
/// Requests for one hot row otherwise queue on its lock one transaction each, and every transaction holds the
/// lock for its round trips and its commit's WAL flush. Taken together, a batch pays those once. The first
/// request for an idle key runs at once, alone, so a key without contention waits for nobody.
///
/// A batch runs on the task of the request that leads it; the others wait for their own results. When it ends,
/// the earliest waiting request leads the next one, with every request that arrived meanwhile (up to
/// `maximumBatch`).
package final class GroupCommit<Key: Hashable & Sendable, Request: Sendable, Response: Sendable>: Sendable {
    /// Runs one batch: a result per request, in the requests' order.
    package typealias Perform = @Sendable (Key, [Request]) async -> [Result<Response, any Error>]

    private enum Turn: Sendable {
        /// Run the next batch: this request, then these waiting ones.
        case lead([Waiter])
        case done(Result<Response, any Error>)
    }

    private struct Waiter: Sendable {
        let request: Request
        let continuation: CheckedContinuation<Turn, Never>
    }

    /// Keys with a batch running, and the requests waiting for the next one.
    private let waiting = Mutex<[Key: [Waiter]]>([:])
    private let maximumBatch: Int
    private let perform: Perform

    package init(maximumBatch: Int, perform: @escaping Perform) {
        precondition(maximumBatch > 0, "a batch holds at least one request")
        self.maximumBatch = maximumBatch
        self.perform = perform
    }

    /// How many requests wait for `key`'s next batch.
    package func waitingCount(for key: Key) -> Int {
        waiting.withLock { $0[key]?.count ?? 0 }
    }

    /// The response to `request`, from the batch it joined.
    package func submit(_ request: Request, for key: Key) async throws -> Response {
        let turn = await withCheckedContinuation { continuation in
            let leads = waiting.withLock { waiting in
                guard waiting[key] != nil else {
                    waiting[key] = []
                    return true
                }
                waiting[key]?.append(Waiter(request: request, continuation: continuation))
                return false
            }
            if leads { continuation.resume(returning: .lead([])) }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .lead(let followers):
            return try await lead(request, with: followers, for: key).get()
        }
    }

    private func lead(_ request: Request, with followers: [Waiter], for key: Key) async -> Result<Response, any Error> {
        let results = await perform(key, [request] + followers.map(\.request))
        precondition(results.count == followers.count + 1, "a batch answers each of its requests")
        for (follower, result) in zip(followers, results.dropFirst()) {
            follower.continuation.resume(returning: .done(result))
        }
        let next = waiting.withLock { waiting -> [Waiter] in
            let queued = waiting[key] ?? []
            guard !queued.isEmpty else {
                waiting[key] = nil
                return []
            }
            waiting[key] = Array(queued.dropFirst(maximumBatch))
            return Array(queued.prefix(maximumBatch))
        }
        if let successor = next.first {
            successor.continuation.resume(returning: .lead(Array(next.dropFirst())))
        }
        return results[0]
    }
}
