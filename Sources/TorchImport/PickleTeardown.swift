/// Frees an unpickled value graph iteratively. Swift releases nested containers
/// recursively, so a crafted pickle of ~100k nested TUPLE1s or APPENDs would overflow the
/// stack on deallocation; emptying each box in place and queueing its children keeps the
/// depth at one. It also breaks reference cycles a pickle can build through the memo.
enum PickleTeardown {
    static func dismantle(_ roots: [PickleValue]) {
        var work = roots
        while let value = work.popLast() {
            switch value {
            case .tuple(let tuple):
                work.append(contentsOf: tuple.items)
                tuple.items = []
            case .list(let list):
                work.append(contentsOf: list.items)
                list.items = []
            case .dict(let dict):
                for (key, item) in dict.entries + dict.attributes {
                    work.append(key)
                    work.append(item)
                }
                dict.removeAll()
            default:
                break
            }
        }
    }
}
