import PostgresReplicationProtocol

/// Decides how far the slot may advance: to the last delivered position such that it and every position delivered
/// before it have been confirmed.
///
/// Downstream confirmations can arrive out of order (publisher confirms of several transactions in flight); a
/// later transaction's confirmation must not move the slot past an earlier one that is still unconfirmed, or a
/// crash would lose it.
struct ConfirmationTracker: Hashable, Sendable {
    private struct Delivery: Hashable, Sendable {
        var position: LSN
        var confirmed: Bool
    }

    /// What the next standby status update reports as flushed: the confirmed prefix of the deliveries, or how far
    /// the server's decoding had gone when nothing was awaiting confirmation; zero before either, which the server
    /// ignores rather than moving the slot back.
    private(set) var flushed: LSN = .zero
    /// Delivered and not yet flushed, in delivery (and so ascending position) order.
    private var pending: [Delivery] = []

    var unconfirmedCount: Int { pending.count }

    mutating func delivered(_ position: LSN) {
        pending.append(Delivery(position: position, confirmed: false))
    }

    /// Marks the delivery at exactly `position` confirmed; returns whether `flushed` moved. Unknown positions
    /// (never delivered on this connection, or already flushed) change nothing.
    mutating func confirm(_ position: LSN) -> Bool {
        guard let index = index(of: position) else { return false }
        pending[index].confirmed = true
        return advance()
    }

    /// Moves `flushed` to `position`, how far the server's decoding has gone, when nothing delivered awaits its
    /// confirmation: every transaction committed before it has been delivered and confirmed, so none is left to
    /// come. Returns whether `flushed` moved.
    mutating func caughtUp(to position: LSN) -> Bool {
        guard pending.isEmpty, position > flushed else { return false }
        flushed = position
        return true
    }

    /// Marks every delivery at or before `position` confirmed; returns whether `flushed` moved.
    mutating func confirm(upTo position: LSN) -> Bool {
        for index in pending.indices where pending[index].position <= position {
            pending[index].confirmed = true
        }
        return advance()
    }

    private func index(of position: LSN) -> Int? {
        var low = 0
        var high = pending.count
        while low < high {
            let middle = (low + high) / 2
            if pending[middle].position < position { low = middle + 1 } else { high = middle }
        }
        return low < pending.count && pending[low].position == position ? low : nil
    }

    private mutating func advance() -> Bool {
        let prefix = pending.prefix { $0.confirmed }
        guard let last = prefix.last else { return false }
        flushed = last.position
        pending.removeFirst(prefix.count)
        return true
    }
}
