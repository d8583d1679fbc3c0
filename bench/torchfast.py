"""What bench/torch_cd.py and bench/torch_preset.py share: MNIST read once into a float32 tensor, one thread,
Bernoulli samples as rand < p."""
import argparse
import gzip
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before torch loads OpenBLAS
import numpy as np  # noqa: E402
import torch  # noqa: E402

PIXELS = 784


def read_images(path):
    """An MNIST IDX image file (gzip'd, as GoMNIST ships it) as an N×784 float32 tensor of pixel/255."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">i4")
    if magic != 2051 or rows * cols != PIXELS:
        sys.exit("%s: not an MNIST IDX image file" % path)
    pixels = np.frombuffer(raw[16:16 + n * PIXELS], dtype=np.uint8).reshape(n, PIXELS).copy()
    return torch.from_numpy(pixels).float().div_(255)


def sample(p):
    """A Bernoulli sample of p: 1 where a uniform draw is below p."""
    return (torch.rand_like(p) < p).float()


def parse_args(doc, epochs, extra=None):
    """The flags both jobs take (--data, --epochs, --limit, --seed, and extra's), parsed; torch then set to one
    thread, seeded, without autograd."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="folder of the gzip'd MNIST IDX files")
    if extra:
        extra(ap)
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    torch.set_grad_enabled(False)
    return args
