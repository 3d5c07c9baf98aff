import CertData
import CertLedger
import CertStore
import Certify
import Foundation

extension CertificationPipeline {
    /// The batcher's work on one micro-batch: stored verdicts are reused, twins certified once,
    /// the rest certified with their trigger reports in one pass per step. Nothing is written.
    func compute(_ batch: [Pending], _ engine: PipelineEngine) -> ComputedBatch {
        var out = ComputedBatch(engine: engine, started: Date())
        for item in batch {
            do {
                var pixels = item.pixels
                if item.shape != engine.shape {  // decoded for the engine before a reload
                    pixels = try ImageDecoder.decode(
                        item.bytes, source: item.source, expecting: engine.shape,
                        maxValues: engine.config.maxPixels
                    ).pixels
                }
                if let known = try engine.ledger.storedVerdict(sha256: item.sha256) {
                    out.done.append((item, .success(known)))  // same bytes, same model set: the stored verdict
                } else if let twin = out.requests.first(where: { $0.1.sha256 == item.sha256 }) {
                    out.requests.append((item, twin.1))  // decided once below, answered twice
                } else {
                    out.requests.append((item, CertificationRequest(pixels: pixels, sha256: item.sha256, source: item.source)))
                }
            } catch let error as ImageDecodingError {
                out.done.append((item, .failure(ServiceError(status: 422, code: "bad_image", message: error.description))))
            } catch {
                out.done.append((item, .failure(Self.storeUnavailable("could not read the store: \(error)"))))
            }
        }
        var unique: [CertificationRequest] = []
        for (_, r) in out.requests where !unique.contains(where: { $0.sha256 == r.sha256 }) { unique.append(r) }
        guard !unique.isEmpty else { return out }
        // Per image: a verdict, or why there is none (non-finite pixels: 422; a model or plugin
        // that produced non-finite values: 500). The others go on.
        // Trigger reports ride in the same passes as their images (`Certifier.certify`).
        let certified = engine.certifier.certify(
            unique, targets: engine.certifier.targets(unique, perturbations: engine.allPerturbations), reporting: engine.perturbations)
        heartbeat.beat()
        for (request, result) in zip(unique, certified) {
            switch result {
            case let .success(v): out.ready.append((request, v))
            case let .failure(e): out.failed[request.sha256] = ServiceError(e)
            }
        }
        return out
    }

    /// The committer's work on one batch, in batch order: a last look for verdicts stored since
    /// the batcher looked (another batch in flight had the same image), the storage-update and
    /// one LMDB commit, then the answers and the events.
    func commit(_ batch: ComputedBatch) {
        var done = batch.done
        let engine = batch.engine
        if !batch.requests.isEmpty {
            var stored: [String: Verdict] = [:]
            var fresh: [(CertificationRequest, Verdict)] = []
            var failed = batch.failed
            for (request, verdict) in batch.ready {
                do {
                    if let known = try engine.ledger.storedVerdict(sha256: request.sha256) {
                        stored[request.sha256] = known
                    } else {
                        fresh.append((request, verdict))
                    }
                } catch {
                    failed[request.sha256] = Self.storeUnavailable("could not read the store: \(error)")
                }
            }
            do {
                let committed = try engine.ledger.commit(fresh)
                let bySha = stored.merging(zip(fresh.map(\.0.sha256), committed.map(\.verdict))) { a, _ in a }
                for (item, r) in batch.requests {
                    done.append((item, bySha[r.sha256].map { .success($0) } ?? .failure(failed[r.sha256] ?? Self.internalError)))
                }
                for v in committed { events.publish(v.verdict, arrival: v.arrival) }
                counters.add(
                    certified: committed.filter { $0.verdict.certified }.count, total: committed.count,
                    seconds: Date().timeIntervalSince(batch.started))
            } catch let error as StorageUpdate.NonFiniteInput {
                for (item, r) in batch.requests {
                    done.append(
                        (item, .failure(failed[r.sha256] ?? ServiceError(status: 500, code: "internal", message: error.description))))
                }
            } catch {
                for (item, r) in batch.requests {
                    done.append((item, .failure(failed[r.sha256] ?? Self.storeUnavailable("could not commit: \(error)"))))
                }
            }
        }
        for (item, result) in done {
            item.reply(result)
            counters.record(result, seconds: Self.seconds(since: item.arrived))
        }
    }

    static func storeUnavailable(_ message: String) -> ServiceError {
        ServiceError(status: 503, code: "store_unavailable", message: message)
    }

    /// A request with neither a verdict nor a recorded failure: a bug, answered rather than lost.
    static let internalError = ServiceError(status: 500, code: "internal", message: "no verdict and no failure recorded")
}
