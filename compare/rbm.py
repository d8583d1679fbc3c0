"""The reference script's RBM class, verbatim, importable without running the script's training.

Source: shared/reference/rbm_pytorch.py (the course's PyTorch script). Only the class is copied, so that
compare/trace.py and compare/reference.py run exactly the script's math. Do not edit the algorithm here.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class RBM(nn.Module):
    def __init__(self, n_vis=784, n_hin=500, k=5):
        super(RBM, self).__init__()
        self.W = nn.Parameter(torch.randn(n_hin,n_vis)*1e-2)
        self.v_bias = nn.Parameter(torch.zeros(n_vis))
        self.h_bias = nn.Parameter(torch.zeros(n_hin))
        self.k = k

    def sample_from_p(self, p):
        return F.relu(torch.sign(p-torch.rand(p.size())))

    def v_to_h(self, v):
        p_h = F.sigmoid(F.linear(v, self.W, self.h_bias))
        sample_h = self.sample_from_p(p_h)
        return p_h, sample_h

    def h_to_v(self, h):
        p_v = F.sigmoid(F.linear(h, self.W.t(), self.v_bias))
        sample_v = self.sample_from_p(p_v)
        return p_v, sample_v

    def forward(self, v):
        pre_h1, h1 = self.v_to_h(v)
        h_ = h1
        for _ in range(self.k):
            pre_v_, v_ = self.h_to_v(h_)
            pre_h_, h_ = self.v_to_h(v_)
        return v, v_

    def free_energy(self, v):
        vbias_term = v.mv(self.v_bias)
        wx_b = F.linear(v, self.W, self.h_bias)
        hidden_term = wx_b.exp().add(1).log().sum(1)
        return (-hidden_term - vbias_term).mean()


def read_idx_images(path):
    """Reads an MNIST IDX image file (gzip'd, as GoMNIST ships it) into an N×784 float32 array in [0, 1],
    the values torchvision's ToTensor gives."""
    import gzip
    import numpy as np
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">i4")
    if magic != 2051:
        raise ValueError("%s: not an IDX image file (magic %d)" % (path, magic))
    pixels = np.frombuffer(raw[16:16 + n * rows * cols], dtype=np.uint8)
    return pixels.reshape(n, rows * cols).astype(np.float32) / 255.0
