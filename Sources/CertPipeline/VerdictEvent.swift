/// One committed verdict as the event streams carry it.
public struct VerdictEvent: Sendable, Equatable {
    /// Its arrival sequence number in the store (the SSE `id:`), nil without a store.
    public var arrival: UInt64?
    /// The verdict's JSON, the bytes the store holds.
    public var json: [UInt8]

    /// An event from its parts.
    public init(arrival: UInt64?, json: [UInt8]) {
        self.arrival = arrival
        self.json = json
    }
}
