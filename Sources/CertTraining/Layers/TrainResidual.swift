/// out = body(x) + shortcut(x); the input gradient is the sum of both branches'.
final class TrainResidual: TrainLayer {
    let body: [TrainLayer]
    let shortcut: [TrainLayer]

    init(body: [TrainLayer], shortcut: [TrainLayer]) { self.body = body; self.shortcut = shortcut }

    var parameters: [Parameter] { (body + shortcut).flatMap(\.parameters) }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        var a = body.reduce(x) { $1.forward($0, training: training) }
        let s = shortcut.reduce(x) { $1.forward($0, training: training) }
        for i in a.data.indices { a.data[i] += s.data[i] }
        return a
    }

    func backward(_ dy: Tensor) -> Tensor {
        var dx = body.reversed().reduce(dy) { $1.backward($0) }
        let ds = shortcut.reversed().reduce(dy) { $1.backward($0) }
        for i in dx.data.indices { dx.data[i] += ds.data[i] }
        return dx
    }
}
