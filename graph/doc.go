// Package graph holds the restricted Boltzmann machine (RBM) of the course:
// its parameters (Model), the Gorgonia expression graph of the
// contrastive-divergence cost in two forms and the solver that applies its
// gradients (Trainer), and the block Gibbs sampler (Sampler) that reads the
// same parameters.
//
// Parameters and training are two things. A Model is W and the two biases,
// what the sampler, the metrics and the parameter files read; loading one
// needs no learning rate. A Trainer trains one Model: it owns the compiled
// graphs, the solver's settings and momentum velocities, a centered
// model's offsets, and a Pool of helper goroutines that share each step's
// work (close it when done).
//
// # Conventions
//
// The model has V visible and H hidden binary units. In the PyTorch script
// the weight matrix is W with shape H×V (n_hin×n_vis); Params, SetParams,
// FromParams and Gradients speak that layout, so files and traces keep the
// script's meaning. The Model keeps W in that layout and transposed (V×H),
// for the graphs, where the product v·Wᵀ of F.linear is a plain Mul, and
// whatever changes one changes the other. The parameters change only
// through SetParams and Trainer.Step.
//
// A batch is a row-major float32 slice of rows×V (or rows×H) values; the
// number of rows is passed alongside it. Batch sizes may change from call to
// call (MNIST's last batch has 32 rows, not 64): the trainer compiles one
// graph per batch size it meets and reuses it.
//
// # Energy and cost
//
// The free energy of a visible vector is
//
//	F(v) = −Σ_j softplus((v·Wᵀ + c)_j) − v·b,
//
// with b the visible bias and c the hidden bias. One training step runs the
// tape machine on
//
//	cost = mean_rows F(v) − mean_rows F(v′)
//
// for the data v and its negative sample v′ (the script's
// loss = free_energy(v) - free_energy(v1)), and on its gradients with
// respect to W, b and c, built by gorgonia.Grad.
//
// The cost graph comes in two forms (Graph, Trainer.SetGraph), which agree
// to float32 rounding:
//
//   - Textbook: FreeEnergy writes the script's free_energy with Gorgonia's
//     stock ops, line for line (Mul, BroadcastAdd, Softplus, Sum, Neg, Sub,
//     Mean), and the step is Gorgonia's usual loop: gradients bound to the
//     parameters as dual values, RunAll, solver.Step, Reset. Read it to see
//     how an RBM is written in Gorgonia.
//   - Fast (the default): the same cost from a few fused float32 ops of this
//     package, each with its own SymDiff, so that gorgonia.Grad still builds
//     the backward pass. The data and the reconstruction are stacked into
//     one input, so each product with W is one larger product; the products
//     with a 0/1 operand (every product of CD training: data, hidden states
//     and reconstructions are Bernoulli samples) add up rows of W instead of
//     multiplying; the hidden fields v·Wᵀ + c that the sampler computed
//     (Batch.Fields) enter the graph as an input node instead of being
//     computed again (the graph is compiled with and without them); and ops
//     keep their output tensors from step to step. Every op computes from
//     its input nodes only: σ(z) for the gradient is a node, and the
//     centered model's ops are the plain ones with the offsets as inputs.
//
// A Batch has Rows data vectors and its negative samples: as many (CD, the
// script) or, for persistent chains of their own (Sampler.Persistent),
// ReconRows of them; the cost averages each set over its own rows.
//
// # Solver
//
// Gorgonia's VanillaSolver applies p ← p − lr·∂cost/∂p to each parameter,
// the update of torch.optim.SGD without momentum: after the textbook graph
// on the whole parameters, after the fast graph on blocks of W's rows
// shared with the pool, each block transposed into the script's layout
// while it is in cache. The fast graph's blocks are tensors on an engine
// whose in-place float32 scaling and addition (the solver's two passes)
// are the f32 kernels, tested bit for bit against Gorgonia's standard
// engine. The tests replay traces recorded from the PyTorch script through
// both graphs.
//
// Beyond the script: SetMomentum switches to Gorgonia's Momentum rule
// (c ← μ·c − lr·g, p ← p + c: torch's SGD momentum for a constant lr, see
// solver's comment for where they part). The Trainer runs that rule itself
// (f32.Momentum), on velocities it keeps, because Gorgonia's Momentum
// solver keeps its velocities where they can be neither read nor restored;
// the tests check it bit for bit against Gorgonia's Momentum.Step; SetLearnRate and SetMomentum change the settings between steps,
// keeping the velocities, for schedules; Velocity and SetVelocity read and
// restore the velocities for checkpoints. SetWeightDecay adds ½·wd·‖W‖² to
// the cost graph, so that gorgonia.Grad adds wd·W to W's gradient (the loss
// Step returns stays the free-energy difference). A trace from
// torch.optim.SGD(momentum, weight_decay) is replayed too.
//
// # Centering
//
// Trainer.SetOffsets trains the model as a centered RBM (Montavon & Müller
// 2012; Melchior, Fischer & Wiskott 2016): the graphs differentiate the
// centered free energy
//
//	F_c(v) = −(v−μ)·b_c − Σ_j [softplus(a_j) − λ_j·a_j],   a = (v−μ)·W + c_c,
//
// (CenteredFreeEnergy in stock ops) with respect to W and the centered
// biases b_c = b + W·λ, c_c = c + μ·W, and the solver steps those. The
// Model keeps the plain parameters W, b, c, which describe the same
// distribution, so Params, the sampler and everything that reads them are
// unchanged; the offsets are training state, the Trainer's. MoveOffsets
// moves μ and λ towards a batch's means without changing the distribution.
//
// # Sampling
//
// Sampling stays outside the graph, as in the script: VisibleToHidden,
// HiddenToVisible and Gibbs draw s = 1 if p > u else 0 with u taken from a
// Uniform source the caller owns, in row-major order, consuming exactly the
// draws the script's torch.rand calls would. Gibbs returns the Batch that
// Step takes.
//
// # Machinery
//
// The products, σ and softplus, and the random variates in bulk come from
// the module's internal packages, which guarantee the same bits on every
// machine and however the work is shared. Each step's work, and a
// sampler's given a Pool, is cut into chunks that the calling goroutine and
// the pool's helpers claim in turn; the helpers sleep between pieces of
// work, a busy machine makes the pool run pieces on the caller alone for a
// while, and the results are the same bits with any number of helpers.
package graph
