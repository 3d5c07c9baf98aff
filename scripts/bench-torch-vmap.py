#!/usr/bin/env python3
"""PyTorch baseline for `certssb bench`: the same ensemble, the same work, in PyTorch.

Reads a certssb model set (manifest.json + one safetensors file per model, CONTRACTS.md §3;
no safetensors package needed) of the mnist-cnn architecture, and times one image against
every model of the set, each model seeing the image plus its own fixed Gaussian noise of
scale sigma0 (as certssb's certifying models do):

- vmap: PyTorch's model-ensembling recipe, torch.func.stack_module_state + vmap over the
  models (https://pytorch.org/tutorials/intermediate/ensembling.html), warm, one image at a
  time: the median (p50) and p99 of --images single images, per run;
- loop: the plain loop over the models (the released evaluation loop's shape), one image
  at a time, and both on a batch of --batch images (images/s).

--threads intra-op threads (2, like certssb's 2 workers). Prints one JSON object with each
figure as a list of --repeats runs (`certssb bench` takes their median, min and max), or a
table without --json. Reads no network; needs only torch and numpy.
"""
import argparse, copy, json, os, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mnist_cnn import MnistCNN  # noqa: E402  (the scripts' shared model definition)


DTYPES = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path):
    """name -> float32 tensor, from the format's 8-byte header length, JSON header and data."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        a = np.frombuffer(data[begin:end], dtype=DTYPES[e["dtype"]]).astype(np.float32).reshape(e["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


def load_models(directory, limit=None):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    if manifest["architecture"] != "mnist-cnn":
        sys.exit(f"bench-torch-vmap: {directory} is {manifest['architecture']}, this script runs mnist-cnn only")
    models = []
    for entry in manifest["models"][:limit]:
        net = MnistCNN()
        net.load_state_dict(read_safetensors(os.path.join(directory, entry["file"])))
        net.eval()
        models.append(net)
    return manifest, models


def quantile(values, q):
    return float(np.quantile(np.asarray(values, dtype=np.float64), q))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model-set", required=True, help="certssb model set (mnist-cnn), e.g. ~/.cache/certssb/bench/mnist-cnn-1000")
    p.add_argument("--models", type=int, default=None, help="use only the first N models")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--images", type=int, default=50, help="single images per vmap run")
    p.add_argument("--loop-images", type=int, default=10, help="single images per loop run (the loop is slow)")
    p.add_argument("--batch", type=int, default=64, help="images of the batched figures")
    p.add_argument("--chunk", type=int, default=125, help="models per vmap call in the batched figure (bounds memory)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    manifest, models = load_models(os.path.expanduser(a.model_set), a.models)
    n = len(models)
    sigma = float(manifest["sigma0"])
    print(f"bench-torch-vmap: {n} models loaded in {time.perf_counter() - t0:.1f} s; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads", file=sys.stderr)

    # Each model's own fixed test noise, drawn once (certssb: z_m from the model's noise seed).
    noise = torch.randn(n, 1, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    params, buffers = torch.func.stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")

    def one(p_, b_, x_):
        return torch.func.functional_call(base, (p_, b_), (x_,))

    ensemble = torch.func.vmap(one, in_dims=(0, 0, 0))
    images = torch.rand(max(a.images, a.loop_images, a.batch), 1, 28, 28, generator=torch.Generator().manual_seed(2))

    def vmap_single(x):
        return ensemble(params, buffers, x.unsqueeze(0) + sigma * noise)  # [n, 1, 1]

    def loop_single(x):
        return torch.stack([m((x + sigma * noise[i, 0]).unsqueeze(0)) for i, m in enumerate(models)])

    def vmap_batch(xs):
        outs = []
        for s in range(0, n, a.chunk):
            e = min(s + a.chunk, n)
            p_ = {k: v[s:e] for k, v in params.items()}
            b_ = {k: v[s:e] for k, v in buffers.items()}
            outs.append(ensemble(p_, b_, xs.unsqueeze(0) + sigma * noise[s:e]))
        return torch.cat(outs)

    def loop_batch(xs):
        return torch.stack([m(xs + sigma * noise[i]) for i, m in enumerate(models)])

    def timed(f, x):
        t = time.perf_counter()
        f(x)
        return (time.perf_counter() - t) * 1e3

    figures = {k: [] for k in ["torch_vmap_latency_ms_p50", "torch_vmap_latency_ms_p99", "torch_loop_latency_ms_p50",
                               "torch_vmap_images_per_s", "torch_loop_images_per_s"]}
    with torch.inference_mode():
        for f in (vmap_single, loop_single):  # warm: allocator, kernels, weights in cache lines once
            f(images[0])
        vmap_batch(images[:a.batch])
        for r in range(a.repeats):
            v = [timed(vmap_single, images[i]) for i in range(a.images)]
            figures["torch_vmap_latency_ms_p50"].append(quantile(v, 0.5))
            figures["torch_vmap_latency_ms_p99"].append(quantile(v, 0.99))
            l = [timed(loop_single, images[i]) for i in range(a.loop_images)]
            figures["torch_loop_latency_ms_p50"].append(quantile(l, 0.5))
            figures["torch_vmap_images_per_s"].append(a.batch / timed(vmap_batch, images[:a.batch]) * 1e3)
            figures["torch_loop_images_per_s"].append(a.batch / timed(loop_batch, images[:a.batch]) * 1e3)
            print(f"bench-torch-vmap: run {r + 1}/{a.repeats}: vmap p50 {figures['torch_vmap_latency_ms_p50'][-1]:.1f} ms, "
                  f"loop p50 {figures['torch_loop_latency_ms_p50'][-1]:.1f} ms", file=sys.stderr)
    report = dict(figures)
    report.update({"torch_version": torch.__version__, "torch_threads": torch.get_num_threads(), "torch_models": n,
                   "torch_images": a.images, "torch_loop_images": a.loop_images, "torch_batch": a.batch,
                   "torch_sigma": sigma})
    if a.json:
        print(json.dumps(report, sort_keys=True))
    else:
        for k, v in figures.items():
            print(f"{k:32s} {np.median(v):10.2f}   [{min(v):.2f} - {max(v):.2f}]")


if __name__ == "__main__":
    main()
