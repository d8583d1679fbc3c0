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
// Every product of CD training has a 0/1 operand: the data batch is a
// Bernoulli sample of the pixel intensities, the hidden states and the
// reconstruction are Bernoulli samples too. x·W for a binary row x is the
// sum of the rows of W where x is 1, and only about 13 % of MNIST's pixels
// and 30 % of the hidden units are 1; so the products v·W + c, h·Wᵀ + b and
// the gradient xᵀ·g add up rows (accrows.go) instead of multiplying: about
// 20 million float32 additions a step instead of 125 million multiply-adds.
// An input that is not 0/1 (the test metrics' grey images, AIS's
// probabilities) takes the dense BLAS product. h·Wᵀ reads a copy of W in the
// script's H×V layout, transposed once per parameter version.
//
// On amd64 with AVX2 the inner loops are assembly kernels: the row sums
// (accrows_amd64.s), σ and softplus in float32 (fastmath32_amd64.s, a
// Cephes-style exp), the positions of a row's ones, the 0/1 check and
// Bernoulli's comparison (binary_amd64.s), and the 8×8 transposition
// (transpose_amd64.s). Each has a Go twin that performs the same float32
// operations in the same order, so the kernels change the speed, not the
// bits; the tests compare the two bit for bit. Elsewhere the Go code runs.
//
// The graph is made of this package's float32 ops (ops.go): x·W + c, the
// row sums of softplus, v·b, and the ops of their gradients. They keep their
// output tensors between steps, so a step allocates only the TapeMachine's
// own bookkeeping (about 2.7 kB). The products x·W + c of the data and of
// the reconstruction are the ones the Gibbs chain computed just before;
// Step takes them from the sampler when the rows and the parameters are the
// same (Model.cachedProduct). Each piece of the step is cut in two and
// shared with one helper goroutine (parallel.go); the results do not depend
// on the sharing.
//
// With the build tag openblas (cgo, Debian's libopenblas-dev) every BLAS
// call, the package's, Gorgonia's and tensor's, goes to OpenBLAS with one
// BLAS thread; see BLAS. Without the tag the package is pure Go and
// assembly. Since the training products no longer go through BLAS, the two
// builds train at the same speed; OpenBLAS still speeds up the dense
// products of the metrics.
//
// # Sampling
//
// Sampling stays outside the graph, as in the script: VisibleToHidden,
// HiddenToVisible and Gibbs draw s = 1 if p > u else 0 with u taken from a
// Uniform source the caller owns, in row-major order, consuming exactly the
// draws the script's torch.rand calls would. A source that is a
// UniformFiller (Rand, on math/rand/v2's PCG) hands them out in bulk, and a
// Drawn hands out variates drawn beforehand (train.Fit draws the next
// batch's while the current one trains).
package graph
