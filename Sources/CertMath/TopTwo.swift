/// The largest entry (first index on ties, so ties go to the lower class)
/// and the largest of the rest. With one class the runner-up value is 0.
struct TopTwo<T: Comparable> {
    var index: Int
    var top: T
    var runnerUp: T

    init(_ values: [T], zero: T) {
        precondition(!values.isEmpty, "need at least one class")
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        var second: T?
        for i in values.indices where i != best {
            if second == nil || values[i] > second! { second = values[i] }
        }
        index = best
        top = values[best]
        runnerUp = second ?? zero
    }
}
