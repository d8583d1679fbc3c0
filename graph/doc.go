// Package graph holds the restricted Boltzmann machine (RBM) of the course:
// its parameters, the Gorgonia expression graph of the contrastive-divergence
// cost, the SGD update that applies its gradients, and the block Gibbs
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
// the graph's input tensor (stacked, 2·rows×V), runs the tape machine on
//
//	cost = mean_rows F(v) − mean_rows F(v′)
//
// and its symbolic gradients with respect to W, b and c only (gorgonia.Grad
// through the ops' SymDiff), and lets Gorgonia's VanillaSolver apply
// p ← p − lr·∂cost/∂p, the update of torch.optim.SGD without momentum.
//
// # Speed
//
// The graph is made of this package's float32 ops (ops.go): x·W + c, the
// row sums of softplus, v·b, and the ops of their gradients. They keep their
// output tensors between steps, so a step allocates only the TapeMachine's
// own bookkeeping (about 2.5 kB), and compute softplus and σ with float32
// routines (fastmath.go) instead of Gorgonia's float64 closures. The
// products x·W + c of the data and of the reconstruction are the ones the
// Gibbs chain computed just before; Step takes them from the sampler when
// the rows and the parameters are the same (Model.cachedProduct). Large
// products (pure-Go BLAS) and element-wise loops are shared with one helper
// goroutine (parallel.go).
//
// With the build tag openblas (cgo, Debian's libopenblas-dev) every BLAS
// call, the package's, Gorgonia's and tensor's, goes to OpenBLAS with one
// BLAS thread; see BLAS. Without the tag the package is pure Go.
//
// # Sampling
//
// Sampling stays outside the graph, as in the script: VisibleToHidden,
// HiddenToVisible and Gibbs draw s = 1 if p > u else 0 with u taken from a
// Uniform source the caller owns, in row-major order, consuming exactly the
// draws the script's torch.rand calls would.
package graph
