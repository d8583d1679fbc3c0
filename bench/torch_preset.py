#!/usr/bin/env python3
"""The training epoch of `-recipe best` written as fast as PyTorch allows on a CPU, for bench/run.sh: the yardstick
of the Go preset's epoch (train's BenchmarkPresetEpoch).

One epoch of the preset's step: MNIST's 60,000 training images in batches of 100, each binarized; a centered RBM of
784 visible and 500 hidden units (Melchior et al. 2016) trained by PCD-1 with 100 persistent chains, momentum 0.5,
learning rate 0.06 (the preset's first 40 epochs), offsets moved at rate 0.01 towards each batch's means (μ: the
data's, λ: its hidden probabilities) before the step, the loss mean F(data) − mean F(chains) computed every step, as the Go trainer does.
It keeps the plain parameters W, b, c (what the sampler reads) and steps the centered ones,
b_c = b + λ·W and c_c = c + W·μ, with the centered gradient written by hand (no autograd):

    ∂/∂W   = (p_m − λ)ᵀ·(v_m − μ)/m − (p_d − λ)ᵀ·(v_d − μ)/n     (p = σ(v·Wᵀ + c); d: data, m: chains)
    ∂/∂b_c = mean v_m − mean v_d,   ∂/∂c_c = mean p_m − mean p_d,

one torch.addmm for ∂/∂W on the data and the chains stacked, the momentum update c ← 0.5·c − lr·g, p ← p + c in
place, then b and c derived back from the new W. One thread (torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1),
MNIST read once into a float32 tensor, samples as rand < p. The weights start as the script's (N(0, 1)·0.01), the
visible biases at the logits of the pixel means, μ at the pixel means and λ at 0.5, as -recipe best starts.

  /usr/bin/python3 bench/torch_preset.py --data DIR [--epochs 1] [--limit N] [--seed 1]

It prints each epoch's mean loss and seconds (training only, after the data are loaded). --limit trains on the first
N images (bench/run.sh --quick: a check that it runs).
"""
import os
import sys
import time

from torchfast import parse_args, read_images, sample  # noqa: E402  (also sets OPENBLAS_NUM_THREADS=1 before torch loads)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PIXELS, HIDDEN, BATCH, CHAINS = 784, 500, 100, 100
LR, MOMENTUM, OFFSET_RATE, HIDDEN_OFFSET, CLIP = 0.06, 0.5, 0.01, 0.5, 1e-3


def main():
    args = parse_args(__doc__, 1)

    data = read_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    if args.limit > 0:
        data = data[:max(args.limit, CHAINS)]
    means = data.mean(0).clamp(CLIP, 1 - CLIP)
    W = torch.randn(HIDDEN, PIXELS) * 1e-2
    mu, lam = means.clone(), torch.full((HIDDEN,), HIDDEN_OFFSET)
    b = torch.log(means / (1 - means)) - lam @ W  # centered visible biases at the logits, plain ones derived
    c = -(W @ mu)
    vel_w, vel_b, vel_c = torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)
    chain = sample(data[:CHAINS])
    for epoch in range(args.epochs):
        start = time.perf_counter()
        loss_sum, batches = 0.0, 0
        for lo in range(0, data.shape[0], BATCH):
            vd = sample(data[lo:lo + BATCH])
            n = vd.shape[0]
            ad = torch.addmm(c, vd, W.t())
            pd = torch.sigmoid(ad)
            mu.mul_(1 - OFFSET_RATE).add_(vd.mean(0), alpha=OFFSET_RATE)
            lam.mul_(1 - OFFSET_RATE).add_(pd.mean(0), alpha=OFFSET_RATE)
            # PCD-1 on the chains
            h = sample(torch.sigmoid(torch.addmm(c, chain, W.t())))
            chain = sample(torch.sigmoid(torch.addmm(b, h, W)))
            am = torch.addmm(c, chain, W.t())
            pm = torch.sigmoid(am)
            # the loss, mean F(data) − mean F(chains), F(v) = −Σ softplus(a) − v·b
            loss = F.softplus(am).sum() / CHAINS - F.softplus(ad).sum() / n + chain.mean(0).dot(b) - vd.mean(0).dot(b)
            loss_sum += loss.item()
            batches += 1
            # centered gradient, data and chains stacked: (p − λ)ᵀ·(v − μ) with ∓ 1/rows
            P = torch.cat(((pd - lam) * (-1.0 / n), (pm - lam) * (1.0 / CHAINS)))
            X = torch.cat((vd, chain)) - mu
            gW = P.t() @ X
            gb = chain.mean(0) - vd.mean(0)
            gc = pm.mean(0) - pd.mean(0)
            bc, cc = b + lam @ W, c + W @ mu
            vel_w.mul_(MOMENTUM).add_(gW, alpha=-LR)
            vel_b.mul_(MOMENTUM).add_(gb, alpha=-LR)
            vel_c.mul_(MOMENTUM).add_(gc, alpha=-LR)
            W.add_(vel_w)
            b = bc.add_(vel_b).sub_(lam @ W)
            c = cc.add_(vel_c).sub_(W @ mu)
        print("epoch %d: loss %.4f, %.3f s" % (epoch, loss_sum / batches, time.perf_counter() - start), flush=True)


if __name__ == "__main__":
    main()
