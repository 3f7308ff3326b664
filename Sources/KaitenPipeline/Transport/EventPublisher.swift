/// Where the relay hands events: RabbitMQ, or the in-process bus of `kaiten dev`.
///
/// `publish` returns only once every event is safely on the other side (broker confirms, or the
/// in-process consumers committed); the relay marks events published, or confirms a WAL position, only
/// after that, so a crash anywhere re-sends rather than loses.
package protocol EventPublisher: Sendable {
    /// Publishes the events in order; throws if any of them is not confirmed.
    func publish(_ envelopes: [CloudEventEnvelope]) async throws
}
