#!/usr/bin/env python3
"""The PyTorch reference for the side-by-side comparison (compare/run.sh): the course script
shared/reference/rbm_pytorch.py, line for line, plus only what a comparison needs.

Same as the script: the RBM class (imported from compare/rbm.py, a verbatim copy), RBM(k=1) with 500 hidden
units, optim.SGD(model.parameters(), 0.1), DataLoader(batch_size=64) without shuffling, the loss
free_energy(v) - free_energy(v1), the printed line per epoch, make_grid + plt.imsave of the last batch.

Differences, all outside the algorithm:
  * data: torchvision cannot download here, so the MNIST files GoMNIST ships (gzip'd IDX, the same files the
    Go port reads) are read with read_idx_images and wrapped in a TensorDataset of N x 1 x 28 x 28 float32
    tensors holding pixel/255, the values datasets.MNIST + ToTensor give; the DataLoader is the script's.
  * --seed: torch.manual_seed(seed) before the model is built (the script does not seed);
  * --epochs (the script: 2), --limit N (train on the first N images; the script: all 60,000);
  * the last batch is viewed as (-1, 1, 28, 28) instead of (32, 1, 28, 28): identical for the full set, whose
    last batch has 32 images, and it also works with --limit;
  * no plt.show() (no window in a batch job): the figure is saved as RBM_out_figure.png instead;
  * after training: the test-set metrics below, metrics.json, and the parameters as W.npy, v_bias.npy, h_bias.npy.

Test metrics (defined identically in compare/goeval): the 10,000 test images, each binarized with bernoulli()
(continuing the seeded stream), one up-down pass h ~ p(h|v) (sampled, the class's v_to_h), p(v|h) (h_to_v);
recon_error = mean over images and pixels of (v - p(v|h))^2; free_energy = mean over images of F(v), the class's
free_energy.

--eval-params DIR [DIR ...]: no training; loads each folder's W.npy, v_bias.npy, h_bias.npy into the PyTorch model
and prints the mean free energy per image of the first --eval-images (1000) test images, as grey values pixel/255
(not binarized, so both implementations see identical inputs). With --out, writes free_energy.json there.

Run with /usr/bin/python3 (needs python3-torch, python3-torchvision, python3-matplotlib).
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.utils.data
import torch.optim as optim
from torchvision.utils import make_grid
import matplotlib
matplotlib.use("Agg")  # no display in a batch job
import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rbm import RBM, read_idx_images  # noqa: E402  the script's class, verbatim

PIXELS = 784
TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"


def read_idx_labels(path):
    """Reads a gzip'd MNIST IDX label file into an int64 array (the script's targets; unused by the RBM)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = np.frombuffer(raw[:8], dtype=">i4")
    if magic != 2049:
        raise ValueError("%s: not an IDX label file (magic %d)" % (path, magic))
    return np.frombuffer(raw[8:8 + n], dtype=np.uint8).astype(np.int64)


def mnist(data_dir, images, labels, limit=0):
    """The TensorDataset standing in for datasets.MNIST(..., transform=ToTensor())."""
    x = read_idx_images(os.path.join(data_dir, images))
    y = read_idx_labels(os.path.join(data_dir, labels))
    if limit > 0:
        x, y = x[:limit], y[:limit]
    return torch.utils.data.TensorDataset(torch.from_numpy(x).view(-1, 1, 28, 28), torch.from_numpy(y))


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def test_metrics(model, test_loader):
    """Reconstruction error and mean free energy on the test set (see the module doc)."""
    sq, fe, n = 0.0, 0.0, 0
    with torch.no_grad():
        for _, (data, target) in enumerate(test_loader):
            v = data.view(-1, 784).bernoulli()
            p_h, h = model.v_to_h(v)
            p_v, _ = model.h_to_v(h)
            sq += float(((v - p_v) ** 2).sum())
            fe += float(model.free_energy(v)) * v.shape[0]
            n += v.shape[0]
    return {"images": n, "recon_error": sq / (n * PIXELS), "free_energy": fe / n}


def load_params(model, folder):
    """Puts W.npy (n_hin x n_vis), v_bias.npy and h_bias.npy from folder into model, checking shapes and dtype."""
    for name, param in (("W", model.W), ("v_bias", model.v_bias), ("h_bias", model.h_bias)):
        path = os.path.join(folder, name + ".npy")
        a = np.load(path)
        if a.dtype != np.float32 or a.shape != tuple(param.shape):
            raise ValueError("%s: %s %s, want float32 %s" % (path, a.dtype, a.shape, tuple(param.shape)))
        param.data = torch.from_numpy(np.ascontiguousarray(a))


def eval_params(args):
    x = torch.from_numpy(read_idx_images(os.path.join(args.data, TEST_IMAGES))[:args.eval_images])
    results = []
    for folder in args.eval_params:
        model = RBM(k=1)
        load_params(model, folder)
        with torch.no_grad():
            f = float(model.free_energy(x))
        print("%s: mean free energy of the first %d test images: %.9g" % (folder, x.shape[0], f))
        results.append({"params": folder, "images": int(x.shape[0]), "free_energy": f})
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "free_energy.json"), "w") as fp:
            json.dump({"implementation": "pytorch", "results": results}, fp, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1, help="torch.manual_seed before the model is built")
    ap.add_argument("--epochs", type=int, default=2, help="passes over the training data (the script: 2)")
    ap.add_argument("--data", required=True, help="folder with the four MNIST .gz files (GoMNIST's data folder)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (0: all 60,000)")
    ap.add_argument("--out", default="", help="output folder: metrics.json, W.npy, v_bias.npy, h_bias.npy, RBM_out_*.png")
    ap.add_argument("--eval-params", nargs="+", metavar="DIR", help="evaluate saved parameters instead of training")
    ap.add_argument("--eval-images", type=int, default=1000, help="test images for --eval-params (default 1000)")
    args = ap.parse_args()
    if args.epochs < 1 or args.limit < 0 or args.eval_images < 1:
        ap.error("--epochs and --eval-images must be at least 1, --limit at least 0")
    if args.eval_params:
        return eval_params(args)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    started = time.time()
    torch.manual_seed(args.seed)

    # ---- the script, from here on, with the data sets built from the GoMNIST files ----
    batch_size = 64 # samples per epoch
    train_loader = torch.utils.data.DataLoader(
        mnist(args.data, TRAIN_IMAGES, TRAIN_LABELS, args.limit),
        batch_size=batch_size )
    test_loader = torch.utils.data.DataLoader(
        mnist(args.data, TEST_IMAGES, TEST_LABELS),
        batch_size=batch_size )

    model = RBM(k=1)
    train_op = optim.SGD(model.parameters(),0.1)

    losses, epoch_seconds = [], []
    for epoch in range(args.epochs):
        t0 = time.time()
        loss_ = []
        for _, (data,target) in enumerate(train_loader):
            data = data.view(-1, 784)
            sample_data = data.bernoulli()
            v, v1 = model(sample_data)
            loss = model.free_energy(v) - model.free_energy(v1)
            loss_.append(loss.data)
            train_op.zero_grad()
            loss.backward()
            train_op.step()
        print("Training loss for {} epoch: {}".format(epoch, np.mean(loss_)))
        losses.append(float(np.mean(loss_)))
        epoch_seconds.append(time.time() - t0)
    train_seconds = sum(epoch_seconds)

    def show_and_save(file_id,img,fig,position):
        npimg = np.transpose(img.numpy(),(1,2,0))
        fileName = os.path.join(args.out, "RBM_out_" + file_id + ".png")
        fig.add_subplot(1, 2, position)
        plt.title(file_id)
        plt.axis('off')
        plt.imshow(npimg)
        plt.imsave(fileName,npimg)

    fig = plt.figure(figsize=(12, 6))
    show_and_save("real" ,make_grid( v.view(-1,1,28,28).data),fig,1)
    show_and_save("generated",make_grid(v1.view(-1,1,28,28).data),fig,2)
    fig.savefig(os.path.join(args.out, "RBM_out_figure.png"))  # in place of plt.show()
    # ---- end of the script ----

    t0 = time.time()
    test = test_metrics(model, test_loader)
    eval_seconds = time.time() - t0
    for name, param in (("W", model.W), ("v_bias", model.v_bias), ("h_bias", model.h_bias)):
        np.save(os.path.join(args.out, name + ".npy"), param.detach().numpy().astype(np.float32))
    metrics = {
        "implementation": "pytorch",
        "torch": torch.__version__,
        "seed": args.seed,
        "epochs": args.epochs,
        "limit": args.limit,
        "train_images": len(train_loader.dataset),
        "loss": losses,
        "epoch_seconds": epoch_seconds,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
        "job_seconds": time.time() - started,
        "peak_rss_kb": peak_rss_kb(),
        "test": test,
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as fp:
        json.dump(metrics, fp, indent=1)
    print("test: reconstruction error %.6f, mean free energy %.4f (%d images)" % (test["recon_error"], test["free_energy"], test["images"]))


if __name__ == "__main__":
    main()
