// Package graph holds the restricted Boltzmann machine (RBM) of the course:
// its parameters, the Gorgonia expression graph of the contrastive-divergence
// cost, the SGD solver that applies its gradients, and the block Gibbs
// sampler that reads the same parameters.
//
// # Conventions
//
// The model has V visible and H hidden binary units. In the PyTorch script
// the weight matrix is W with shape H×V (n_hin×n_vis). This package stores
// its transpose, a V×H row-major float32 matrix, so that the products v·Wᵀ
// (visible to hidden) and h·W (hidden to visible) need no Transpose node.
// Params and SetParams speak the script's H×V layout, so files and traces
// keep the script's meaning.
//
// A batch is a row-major float32 slice of rows×V (or rows×H) values; the
// number of rows is passed alongside it. Batch sizes may change from call to
// call (MNIST's last batch has 32 rows, not 64): the model compiles one
// graph per batch size it meets and reuses it.
//
// # Energy and cost
//
// The free energy of a visible vector is
//
//	F(v) = −Σ_j softplus((v Wᵀ + c)_j) − v·b,
//
// with b the visible bias and c the hidden bias. One training step builds
// no new nodes: it fills the data batch v and its reconstruction v′ into
// the graph's input tensors, runs the tape machine on
//
//	cost = mean_rows F(v) − mean_rows F(v′)
//
// and its symbolic gradients with respect to W, b and c only, and lets
// Gorgonia's VanillaSolver apply p ← p − lr·∂cost/∂p, the update of
// torch.optim.SGD without momentum.
//
// # Sampling
//
// Sampling stays outside the graph, as in the script: VisibleToHidden,
// HiddenToVisible and Gibbs draw s = 1 if p > u else 0 with u taken from a
// Uniform source the caller owns, in row-major order, consuming exactly the
// draws the script's torch.rand calls would.
package graph
