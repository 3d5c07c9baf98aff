/// The N_m models of a model set, bound to one compiled plan: the forward pass of model m
/// on a tile of up to `Linear.tileWidth` (64) images, each with its own noise scale s
/// (input x + s·z_m).
///
/// `@unchecked Sendable`: immutable after init (the plan and the models are `let`s, and so is
/// everything in them); `forward` writes only into the caller's `Workspace`, so every worker shares
/// one ensemble.
public final class Ensemble: @unchecked Sendable {
    /// The compiled architecture every model runs.
    public let plan: NetworkPlan
    /// The models in the set's order: model m is index m.
    public let models: [ModelTensors]

    /// N_m, the number of models.
    public var count: Int { models.count }
    /// Logits per image (`plan.outputs`).
    public var outputs: Int { plan.outputs }

    /// An ensemble of already-bound models.
    public init(plan: NetworkPlan, models: [ModelTensors]) {
        self.plan = plan
        self.models = models
    }

    /// Binds every model of `modelSet` to its architecture's plan, with the noise seed its manifest
    /// records; computes each W·z_m (one stem pass per model).
    public convenience init(modelSet: ModelSet) {
        let plan = NetworkPlan(modelSet.manifest.architecture)
        let models = zip(modelSet.weights, modelSet.manifest.models).map {
            ModelTensors(weights: $0.0, noiseSeed: $0.1.noiseSeed, plan: plan)
        }
        self.init(plan: plan, models: models)
    }

    /// Scratch for one worker; one workspace per thread.
    public func makeWorkspace() -> Workspace { Workspace(plan: plan) }

    /// The image as the stem reads it. Crashes (precondition) when `pixels` is not the plan's input
    /// size: callers check shapes first.
    public func prepare(_ pixels: [Float]) -> PreparedImage { PreparedImage(pixels: pixels, plan: plan) }

    /// Runs model `m` on `images` (at most `Linear.tileWidth`) with noise scales `scales`,
    /// writing `outputs` logits per image to `out(imageIndex)`: `trunk`, then `head`.
    public func forward(
        model m: Int, images: ArraySlice<PreparedImage>, scales: ArraySlice<Float>,
        workspace ws: Workspace, out: (Int, UnsafePointer<Float>) -> Void
    ) {
        trunk(model: m, images: images, scales: scales, workspace: ws, features: ws.headIn.pointer)
        head(model: m, features: ws.headIn.pointer, images: images.count, workspace: ws, out: out)
    }

    /// The convolutional part of model `m` (stem and trunk) on `images` (at most
    /// `Linear.tileWidth`), with noise scales `scales`: writes image t's `plan.features`
    /// flattened features (channel-major) to row t of `features`. Reads a few hundred kB of
    /// weights and is bound by arithmetic; `head` is the part that streams (see
    /// `NoiseBatchScheduler`, which runs the two apart for small batches).
    public func trunk(
        model m: Int, images: ArraySlice<PreparedImage>, scales: ArraySlice<Float>,
        workspace ws: Workspace, features: UnsafeMutablePointer<Float>
    ) {
        precondition(images.count <= Linear.tileWidth && images.count == scales.count)
        let model = models[m]
        let width = plan.features
        for (t, (image, s)) in zip(images, scales).enumerated() {
            stem(model, image, scale: s, ws)
            runTrunk(model, ws)
            features.advanced(by: t * width).update(from: ws.slots[plan.trunkOutput].pointer, count: width)
        }
    }

    /// The fully connected layers of model `m` on `images` rows of `features` (what `trunk`
    /// wrote), writing `outputs` logits per image to `out(imageIndex)`. For the MNIST CNN this
    /// reads the model's 1 MB fc weight once, whatever the number of images: for one image it is
    /// bound by memory bandwidth. `features` may be the workspace's own head input.
    public func head(
        model m: Int, features: UnsafePointer<Float>, images: Int, workspace ws: Workspace,
        out: (Int, UnsafePointer<Float>) -> Void
    ) {
        precondition(images <= Linear.tileWidth)
        let model = models[m]
        var input = features
        // Step k writes headOut (k even) or headIn (k odd): step 0 may read headIn itself.
        for (k, step) in plan.head.enumerated() {
            let output = (k % 2 == 0 ? ws.headOut : ws.headIn).pointer
            let bias = model.tensor(step.bias)
            switch model.headWeights[k] {
            case let .float(weight):
                Linear.forward(
                    input, images: images, inFeatures: step.inFeatures, outFeatures: step.outFeatures,
                    weight: weight, bias: bias, relu: step.relu, output: output)
            case let .half(halves):
                Linear.forward(
                    input, images: images, inFeatures: step.inFeatures, outFeatures: step.outFeatures,
                    halves: halves, bias: bias, relu: step.relu, output: output)
            }
            input = UnsafePointer(output)
        }
        for t in 0..<images { out(t, input + t * plan.outputs) }
    }

    /// Stem output = epilogue(W·x + s·W·z_m + b), from the image's shared im2col matrix.
    private func stem(_ model: ModelTensors, _ image: PreparedImage, scale s: Float, _ ws: Workspace) {
        let g = plan.stem, e = plan.stemEpilogue
        let product = e.pool ? ws.product.pointer : ws.slots[0].pointer
        Conv2d.multiply(cols: image.columns.pointer, g, weight: model.tensor(plan.stemWeight), bias: nil, output: product)
        Conv2d.applyEpilogue(
            e, product: product, channels: g.outChannels, height: g.outHeight, width: g.outWidth,
            bias: plan.stemBias.map { model.tensor($0) }, noise: model.stemNoiseResponse.pointer, scale: s,
            output: ws.slots[0].pointer)
    }

    private func runTrunk(_ model: ModelTensors, _ ws: Workspace) {
        for step in plan.trunk {
            switch step {
            case let .conv(g, weight, bias, epilogue, src, dst):
                let product = epilogue.pool ? ws.product.pointer : ws.slots[dst].pointer
                Conv2d.forward(
                    ws.slots[src].pointer, g, weight: model.tensor(weight), bias: nil,
                    scratch: ws.scratch.pointer, output: product)
                Conv2d.applyEpilogue(
                    epilogue, product: product, channels: g.outChannels, height: g.outHeight, width: g.outWidth,
                    bias: bias.map { model.tensor($0) }, output: ws.slots[dst].pointer)
            case let .scaleShift(channels, pixels, scale, shift, relu, src, dst):
                if src != dst { ws.slots[dst].pointer.update(from: ws.slots[src].pointer, count: channels * pixels) }
                Elementwise.scaleShift(
                    ws.slots[dst].pointer, scale: model.tensor(scale), shift: model.tensor(shift),
                    channels: channels, pixels: pixels, relu: relu)
            case let .relu(count, src, dst):
                if src != dst { ws.slots[dst].pointer.update(from: ws.slots[src].pointer, count: count) }
                Elementwise.relu(ws.slots[dst].pointer, count: count)
            case let .maxPool(g, src, dst):
                Pooling.maxPool(ws.slots[src].pointer, g, output: ws.slots[dst].pointer)
            case let .globalAvgPool(channels, pixels, src, dst):
                Pooling.globalAveragePool(ws.slots[src].pointer, channels: channels, pixels: pixels, output: ws.slots[dst].pointer)
            case let .add(count, into, from):
                Elementwise.add(ws.slots[into].pointer, ws.slots[from].pointer, count: count)
            }
        }
    }
}
