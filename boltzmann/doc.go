// Package boltzmann holds the statistical physics behind the restricted
// Boltzmann machine, for systems small enough to enumerate: energies, the
// Boltzmann distribution and its partition function, Metropolis and Glauber
// dynamics, learning a fully visible Boltzmann machine and the
// Kullback–Leibler divergence, Hopfield memories, and a tiny RBM's
// conditionals, free energy, exact log-likelihood gradient and contrastive
// divergence. It is the ground truth the notebooks (and tests) compare
// sampling against; it does not use Gorgonia.
//
// # Conventions
//
// They follow the course notes (C. Gros, "Machine Learning Primer",
// Boltzmann machines), with the temperature set to k_B T = 1 (β = 1):
//
//   - A [System] is a fully visible Boltzmann machine of N binary neurons
//     written as spins s_i ∈ {-1, +1}, with energy
//     E(s) = -½ Σ_{i,j} w_ij s_i s_j - Σ_i h_i s_i.
//     W is stored row-major, N×N (W[i*N+j] = w_ij), with w_ii = 0; it need
//     not be symmetric, only its symmetric part enters E. H holds the
//     fields h_i (a field h_i corresponds to a threshold -b_i).
//   - A state α is addressed by an index in [0, 2^N): bit i of the index set
//     means s_i = +1, clear means s_i = -1. [System.State] and [SpinIndex]
//     convert; [System.Label] writes it as "+-+" (spin 0 first).
//   - p_α = exp(-E_α)/Z with Z = Σ_α exp(-E_α). [System.LogPartition]
//     computes log Z by log-sum-exp over all 2^N states, so large energies
//     do not overflow.
//   - Glauber dynamics: flipping spin k changes the energy by
//     E_β - E_α = ε_k s_k with ε_k = 2h_k + Σ_j (w_kj + w_jk) s_j, and the
//     flip is accepted with P(α→β) = 1/(1+exp(E_β-E_α)). For a two-state
//     spin this is the heat-bath rule s_k = +1 with probability σ(ε_k),
//     which is how [System.Sweep] updates spins 0..N-1 in turn.
//   - Metropolis dynamics ([System.MetropolisSweep], [System.Metropolis])
//     proposes the same single flips and accepts with
//     P(α→β) = min(1, e^{E_α−E_β}); like Glauber's it satisfies detailed
//     balance, p_α P(α→β) = p_β P(β→α). A [Rule] names either;
//     [System.Evolve] computes the exact distribution after one sweep, the
//     noise-free picture of how fast a rule forgets its start.
//   - Learning ([LearningRule], [System.Learn]): the data's mean
//     log-likelihood L = (1/N_d) Σ_{β∈data} log p_β has
//     ∂L/∂w_ij = ⟨s_i s_j⟩_data − ⟨s_i s_j⟩_thermal and
//     ∂L/∂h_i = ⟨s_i⟩_data − ⟨s_i⟩_thermal (w_ij = w_ji as one parameter).
//     [Moments] hold ⟨s_i⟩ and ⟨s_i s_j⟩; [System.Moments] computes them
//     for any distribution over the states: m.Exact() for the exact thermal
//     averages, a [Histogram] of a chain for sampled ones,
//     [System.Distribution] of the data for the data's.
//   - [KullbackLeibler] is K(q;p) = Σ_α q_α log(q_α/p_α), with q the data
//     and p the machine: K(q;p) = −H[q] − L, so learning lowers it.
//   - A [Hopfield] network has N spins (any N), no fields, and couplings
//     set by hand: the notes' covariance of the memories ([NewHopfield]),
//     or Hebb's rule for comparison ([NewHopfieldHebb]). [Hopfield.Recall]
//     runs the zero-temperature asynchronous dynamics to an attractor;
//     [Overlap] measures m = (1/N) Σ_i s_i ξ_i. [RetrievalCurve],
//     [CriticalLoad] and [Forgetting] measure the storage capacity.
//   - An [RBM] uses 0/1 units, as the notes do for restricted machines:
//     E(v,h) = -Σ_{i,j} v_i w_ij h_j - Σ_i b_i v_i - Σ_j c_j h_j (no ½).
//     W is stored row-major visible×hidden: W[i*Hidden+j] = w_ij. (The
//     PyTorch script stores its W hidden×visible; this is its transpose.)
//     Then p(h_j=1|v) = σ(Σ_i v_i w_ij + c_j); [RBM.HiddenGivenVisible]
//     computes that closed form and [RBM.HiddenGivenVisibleEnumerated]
//     the same number from the joint distribution, summed by brute force.
//     [RBM.ExactGradient] is the log-likelihood gradient
//     ⟨v_i h_j⟩_data − ⟨v_i h_j⟩_model by enumeration;
//     [RBM.ContrastiveDivergence] estimates it with k Gibbs steps from each
//     data vector, as the notes draw CD, and
//     [RBM.ExpectedContrastiveDivergence] gives that estimate's mean
//     exactly, through the Gibbs transition matrix [RBM.VisibleTransitions].
//
// # Randomness
//
// Every random function takes a [Uniform], a one-method interface
// satisfied by *math/rand/v2.Rand. The caller seeds it, so runs repeat:
//
//	rng := rand.New(rand.NewPCG(1, 2))
//
// [NewUniform] does the same behind the Uniform interface, for notebooks
// (the interpreter warns about math/rand/v2's generic functions on import).
//
// # Limits
//
// Enumeration costs 2^N; constructors refuse more than [MaxUnits] units
// (the Hopfield network, which never enumerates, has no such limit).
// The API is plain (no generics, slices and structs only) so that the
// gophernotes interpreter can call all of it from a notebook.
package boltzmann
