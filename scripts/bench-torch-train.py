#!/usr/bin/env python3
"""PyTorch baseline for `certssb bench`'s training figure: the same MNIST CNN, data
(0/1 digits of mnist_5k), noise (x + sigma*b, b fixed per sample), Adam, batch and epochs,
on one CPU thread. Prints seconds per model. Needs `pip install torch`; reads no network."""
import argparse, gzip, time

import numpy as np
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mnist_cnn import MnistCNN  # noqa: E402  (the scripts' shared model definition)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--csv", default="../shared/data/mnist_5k.csv.gz")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--sigma", type=float, default=0.12)
    p.add_argument("--models", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)
    rows = np.loadtxt(gzip.open(a.csv, "rt") if a.csv.endswith(".gz") else a.csv, delimiter=",")
    rows = rows[rows[:, -1] <= 1]
    x = torch.tensor(rows[:, :-1] / 255.0, dtype=torch.float32).reshape(-1, 1, 28, 28)
    y = torch.tensor(rows[:, -1], dtype=torch.float32)
    times = []
    for m in range(a.models):
        torch.manual_seed(m)
        noisy = x + a.sigma * torch.randn_like(x)
        net = MnistCNN()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        t0 = time.perf_counter()
        for _ in range(a.epochs):
            order = torch.randperm(len(x))
            for s in range(0, len(x), a.batch_size):
                idx = order[s:s + a.batch_size]
                opt.zero_grad()
                loss = F.binary_cross_entropy_with_logits(net(noisy[idx]).squeeze(1), y[idx])
                loss.backward()
                opt.step()
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"pytorch {torch.__version__}: {len(x)} images, {a.epochs} epochs, batch {a.batch_size}, 1 thread: "
          f"{best:.2f} s per model = {3600 / best:.0f} models/hour per core")


if __name__ == "__main__":
    main()
