/// Turns the unpickled state dict into `TorchCheckpoint`: reads each storage once (views
/// may share one), converts it to Float32, and gathers each tensor's view.
struct TorchStateDictBuilder {
    let layout: TorchArchiveLayout
    /// The values all tensors may hold together (`TorchCheckpoint.maximumElements`).
    let maximumElements: Int

    func build(_ root: PickleValue) throws -> TorchCheckpoint {
        guard case .dict(let stateDict) = root else {
            throw ImportFailure("pickle holds a \(root.kind), not a state dict (OrderedDict of tensors)")
        }
        var converted: [String: (dtype: StorageDType, values: [Float])] = [:]
        var tensors: [TorchTensor] = []
        var skipped: [String] = []
        var budget = maximumElements
        for (key, value) in stateDict.entries {
            guard case .string(let name) = key else {
                throw ImportFailure("state dict key is a \(key.kind), not a string")
            }
            guard case .tensor(let ref) = value, ref.storage.dtype.isRealFloating else {
                skipped.append(name)  // integer/bool buffers, or non-tensor extras
                continue
            }
            let storage = ref.storage
            let floats: [Float]
            if let cached = converted[storage.key] {
                guard cached.dtype == storage.dtype else {
                    throw ImportFailure(
                        "storage \(storage.key) is referenced as both "
                            + "\(cached.dtype.storageName) and \(storage.dtype.storageName)")
                }
                floats = cached.values
            } else {
                let (bytesNeeded, overflow) = storage.numel.multipliedReportingOverflow(by: storage.dtype.byteWidth)
                guard !overflow else { throw ImportFailure("storage \(storage.key) numel \(storage.numel) overflows") }
                floats = try StorageConversion.floats(
                    try layout.storageBytes(key: storage.key, minimumBytes: bytesNeeded),
                    dtype: storage.dtype, count: storage.numel)
                converted[storage.key] = (storage.dtype, floats)
            }
            do {
                let values = try StridedGather.gather(floats, offset: ref.offset, shape: ref.shape, stride: ref.stride, limit: budget)
                budget -= values.count
                tensors.append(TorchTensor(name: name, shape: ref.shape, values: values))
            } catch let failure as ImportFailure {
                throw ImportFailure("tensor \(name): \(failure.reason)")
            }
        }
        return TorchCheckpoint(tensors: tensors, skipped: skipped)
    }
}
