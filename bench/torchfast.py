"""What bench/torch_cd.py and bench/torch_preset.py share: MNIST read once into a float32 tensor, one thread,
Bernoulli samples as rand < p."""
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
