#!/usr/bin/env python3
"""The script's job written as fast as PyTorch allows on a CPU, for bench/run.sh: the yardstick the Go default job
(`go run .`) is measured against.

The same job as rbm_pytorch.py: MNIST's 60,000 training images in batches of 64 (no shuffle, the last of 32), each
binarized with bernoulli(), CD-1 from the data with an RBM of 784 visible and 500 hidden units (W ~ N(0, 1)·0.01,
zero biases), SGD with learning rate 0.1 on loss = mean F(v) − mean F(v1), 2 epochs, the mean loss printed per
epoch, and the last batch and its reconstruction saved as the script's two grids and figure. What makes it fast:

  * one thread (torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1: on this 2-core machine torch is slower with
    two);
  * MNIST read once into one float32 tensor (pixel/255, the values ToTensor gives), no DataLoader;
  * the gradient written by hand instead of autograd: with p = σ(v·Wᵀ + c),
      ∂loss/∂W = (p1ᵀ·v1 − p0ᵀ·v0)/n,  ∂loss/∂b = mean(v1 − v0),  ∂loss/∂c = mean(p1 − p0),
    applied in place with torch.addmm (W ← W + lr/n·p0ᵀ·v0 − lr/n·p1ᵀ·v1);
  * the hidden fields of v and v1 computed once each and reused for the loss, the gradient and the samples; the
    script's last hidden sample, which it discards, is not computed; samples are rand < p (faster here than
    torch.bernoulli, the same distribution).

  /usr/bin/python3 bench/torch_cd.py --data DIR [--out DIR] [--epochs 2] [--limit N] [--seed 1]
"""
import os
import sys
import time

from torchfast import parse_args, read_images, sample  # noqa: E402  (also sets OPENBLAS_NUM_THREADS=1 before torch loads)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PIXELS, HIDDEN, BATCH, LR = 784, 500, 64, 0.1


def save_grids(out, v, v1):
    """The script's show_and_save: make_grid of the last batch and its reconstruction, imsave'd, and the figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from torchvision.utils import make_grid
    fig = plt.figure(figsize=(12, 6))
    for pos, (name, x) in enumerate((("real", v), ("generated", v1)), 1):
        img = np.transpose(make_grid(x.view(-1, 1, 28, 28)).numpy(), (1, 2, 0))
        fig.add_subplot(1, 2, pos)
        plt.title(name)
        plt.axis("off")
        plt.imshow(img)
        plt.imsave(os.path.join(out, "RBM_out_%s.png" % name), img)
    fig.savefig(os.path.join(out, "RBM_out_figure.png"))


def main():
    args = parse_args(__doc__, 2, lambda ap: ap.add_argument("--out", default="", help="write the grids here (default: none)"))

    data = read_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    if args.limit > 0:
        data = data[:args.limit]
    W = torch.randn(HIDDEN, PIXELS) * 1e-2
    b, c = torch.zeros(PIXELS), torch.zeros(HIDDEN)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        losses = []
        for lo in range(0, data.shape[0], BATCH):
            v0 = sample(data[lo:lo + BATCH])
            n = v0.shape[0]
            a0 = torch.addmm(c, v0, W.t())
            p0 = torch.sigmoid(a0)
            v1 = sample(torch.sigmoid(torch.addmm(b, sample(p0), W)))
            a1 = torch.addmm(c, v1, W.t())
            p1 = torch.sigmoid(a1)
            # loss = mean F(v0) − mean F(v1), F(v) = −Σ softplus(a) − v·b
            loss = (F.softplus(a1).sum() - F.softplus(a0).sum() + (v1 - v0).sum(0).dot(b)) / n
            losses.append(loss.item())
            W.addmm_(p0.t(), v0, alpha=LR / n).addmm_(p1.t(), v1, alpha=-LR / n)
            b.add_((v0 - v1).sum(0), alpha=LR / n)
            c.add_((p0 - p1).sum(0), alpha=LR / n)
        print("Training loss for {} epoch: {}".format(epoch, np.mean(losses)), flush=True)
    print("training: %.2f s" % (time.perf_counter() - start), file=sys.stderr)
    if args.out:
        save_grids(args.out, v0, v1)


if __name__ == "__main__":
    main()
