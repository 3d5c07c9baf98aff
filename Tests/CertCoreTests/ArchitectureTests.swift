import CertCore
import CertShape
import CertTestSupport
import Testing

@Suite(.blockingWork) struct ArchitectureTests {
    @Test func mnistCNNHasThePapersParameterCount() {
        #expect(Architecture.mnistCNN.parameterCount == 276_417)
        #expect(NetworkPlan(.mnistCNN).features == 512)
    }

    @Test func cifarResNetHasThreeStagesOfFiveBlocks() {
        let names = Architecture.cifarResNet.parameterSpecs.map(\.name)
        #expect(names.filter { $0.hasSuffix(".conv2.weight") }.count == 15)
        #expect(names.filter { $0.contains("shortcut.0.weight") }.count == 2)
        #expect(NetworkPlan(.cifarResNet).features == 64)
    }

    @Test func resnet18MatchesTorchvisionPlusHead() {
        // torchvision resnet18 has 11,689,512 parameters; the head adds 1000·1 + 1.
        let torchvisionBuffersExcluded = Architecture.resnet18.parameterSpecs
            .filter { !$0.name.hasSuffix("running_mean") && !$0.name.hasSuffix("running_var") }
            .reduce(0) { $0 + $1.count }
        #expect(torchvisionBuffersExcluded == 11_689_512 + 1_001)
    }

    /// Every architecture against the naive implementation, clean and with noise.
    @Test(arguments: [
        (Architecture.mnistCNN, ImageShape(channels: 1, height: 28, width: 28)),
        (Architecture.cifarResNet, ImageShape(channels: 3, height: 32, width: 32)),
        (Architecture.resnet18, ImageShape(channels: 3, height: 64, width: 64)),
    ])
    func forwardMatchesNaiveImplementation(_ a: (Architecture, ImageShape)) throws {
        let (ensemble, tensors) = try TestSupport.ensemble(a.0, count: 1, inputShape: a.1)
        let p = TestSupport.lookup(tensors[0])
        let n = a.1.count
        let images = [TestSupport.uniform(n, seed: 21, lo: 0, hi: 1), TestSupport.uniform(n, seed: 22, lo: 0, hi: 1)]
        let scales: [Float] = [0, 0.25]
        let got = TestSupport.logits(ensemble, images: images, scales: scales)
        let z = ensemble.models[0].testNoise(count: n)
        for (i, image) in images.enumerated() {
            let noisy = zip(image, z).map { Double($0) + Double(scales[i]) * Double($1) }
            let ref = Naive.run(a.0.layers, Naive.Tensor3(c: a.1.channels, h: a.1.height, w: a.1.width, v: noisy), p)
            #expect(ref.count == 1)
            #expect(abs(Double(got[i][0]) - ref[0]) < 1e-4 * max(1, abs(ref[0])), "\(a.0) image \(i): \(got[i][0]) vs \(ref[0])")
        }
    }

    /// A verdict must not depend on which images shared its batch or where it sat.
    @Test func logitsAreBitIdenticalForAnyBatchCompositionAndPosition() throws {
        let (ensemble, _) = try TestSupport.ensemble(.mnistCNN, count: 2)
        let images = (0..<16).map { TestSupport.uniform(784, seed: 100 + UInt32($0), lo: 0, hi: 1) }
        let scales = (0..<16).map { Float($0) * 0.05 }
        for model in 0..<2 {
            let full = TestSupport.logits(ensemble, model: model, images: images, scales: scales)
            for i in [0, 5, 15] {
                let alone = TestSupport.logits(ensemble, model: model, images: [images[i]], scales: [scales[i]])
                #expect(alone[0] == full[i])
                let moved = TestSupport.logits(
                    ensemble, model: model, images: Array(images[...i].reversed()), scales: Array(scales[...i].reversed()))
                #expect(moved[0] == full[i])
            }
        }
    }
}
