// Package metrics says how good a trained graph.Model is: reconstruction
// error, free energies, pseudo-log-likelihood, the partition function (exact
// for small hidden layers, by annealed importance sampling from two base
// models otherwise), the average log-probability of test images bracketed
// between reverse and forward annealing, and samples from the model.
//
// # Conventions
//
// A batch v is a row-major float32 slice of rows×Visible values, normally
// binary (MNIST pixels binarized with a seeded source). The model stores W
// as Visible×Hidden (see package graph); b is the visible and c the hidden
// bias. Every random draw comes from a graph.Uniform the caller passes in,
// consumed in a documented order, so a seed fixes every number. Sums and
// logarithms are float64; products of the weight matrix with a batch are
// float32 (package linalg), as in training.
//
// # Definitions
//
// Free energy, per row (graph.Model.FreeEnergies):
//
//	F(v) = −Σ_j softplus((v·W + c)_j) − v·b,   p(v) = e^−F(v) / Z.
//
// Reconstruction error (ReconstructionError): one up-down pass per image,
// h ~ Bernoulli(σ(v·W + c)) drawn with the source (rows×Hidden draws, row
// major, as graph.Sampler.VisibleToHidden draws them), then the mean
// squared difference between v and the visible probabilities p = σ(h·Wᵀ + b)
// over all images and pixels: (1/(rows·V)) Σ_r Σ_i (v_ri − p_ri)².
//
// Pseudo-log-likelihood (PseudoLogLikelihood), as scikit-learn's
// BernoulliRBM.score_samples (sklearn/neural_network/_rbm.py) defines it:
// for each image one visible unit i is drawn uniformly (i = ⌊u·V⌋ with one
// draw u per image), ṽ is v with bit i flipped, and the image's score is
//
//	V · log σ(F(ṽ) − F(v)),
//
// V times the log-probability of bit i given the others. The function
// returns the mean over the images. (sklearn writes it as
// −V·logaddexp(0, −(fe_ − fe)) with fe_ = F(ṽ), fe = F(v).)
//
// Exact log Z (ExactLogZ), for Hidden ≤ MaxExactHidden, sums the visible
// units out and enumerates the 2^H hidden configurations in Gray-code order:
//
//	log Z = log Σ_h exp(c·h + Σ_i softplus(b_i + (W h)_i)),
//
// with a running log-sum-exp in float64.
//
// # Annealing
//
// AIS and RAISE move chains along a path of distributions from a base
// model A (visible biases b_A, no weights, H hidden units that are fair
// coins, so log Z_A = Σ_i softplus(b_A,i) + H·log 2) to the RBM:
//
//	p*_β(v) = exp((1−β)·v·b_A + β·v·b) · Π_j (1 + exp(β·(v·W + c)_j)),
//
// for 0 = β_0 < β_1 < … < β_K = 1. The transition T_β, h ~ σ(β·(v·W + c))
// then v ~ σ((1−β)·b_A + β·(h·Wᵀ + b)), leaves p*_β invariant and is
// reversible. PaperSchedule is the schedule of Salakhutdinov and Murray
// (β in steps of 1e-3 up to 0.5, 1e-4 up to 0.9, 1e-5 up to 1: 14,501
// values), Schedule(n) the same three segments with n values in all. The
// β are rounded to float32, the precision of the fields they multiply, and
// every use of β_k sees the same value, so a run is exact AIS for the
// rounded schedule.
//
// Two bases: BaseRate(p), the paper's, with b_A = logit of the training
// pixels' marginals p (clipped to [BaseRateClip, 1−BaseRateClip]); and the
// uniform model, b_A = 0. The script starts the visible biases at 0, and a
// model trained by its recipe keeps a broad mode of noise images with every
// hidden unit off; chains that start near the data's marginals may never
// reach it, while chains from the uniform model start inside it. A model
// with strong pixel biases is the other way round: close to the base-rate
// model, far from the uniform one. The tests have both kinds.
//
// # AIS
//
// AIS (Salakhutdinov and Murray, "On the quantitative analysis of deep
// belief networks", ICML 2008, and their RBM_AIS.m; Neal 2001) starts each
// chain at an exact sample v_0 of A and accumulates
//
//	log w = Σ_(k=1..K) log p*_(β_k)(v_(k−1)) − log p*_(β_(k−1))(v_(k−1)),
//	v_k ~ T_(β_k)(v_(k−1)),
//
// so that Ẑ = Z_A · mean(w) is an unbiased estimate of Z and log Ẑ is, on
// average, below log Z. The bounds are log(ŵ ± 3σ̂) + log Z_A with σ̂ the
// standard error of the mean weight (the paper's "±3 standard
// deviations"); the lower one is −Inf when ŵ < 3σ̂. The effective sample
// size (Σw)²/Σw² and the largest weight's share of Σw say whether a few
// chains carry the estimate; then its ±3σ, computed from those few,
// understates the error.
//
// Combined estimate (EstimateLogLikelihood): when the two runs disagree
// (their ±3σ intervals do not overlap), the higher estimate; when they
// agree, the one with the larger effective sample size, whose ±3σ is the
// more trustworthy; and never below the best of three hard lower bounds
// (LogZLowerBounds), which replaces the estimate when it is larger. Z is a
// sum of positive terms, so any part of it bounds it: the terms with every
// hidden unit off, log Σ_v exp(v·b) = Σ_i softplus(b_i); those with every
// visible unit off, Σ_j softplus(c_j); and those of the distinct images
// evaluated, log Σ_v exp(−F(v)). On a model trained well the last two are
// far tighter than the first, the one a model trained by CD-1 from zero
// visible biases makes largest. Why the
// higher: both Ẑ are unbiased for Z, but their errors are lopsided. A run
// that misses a mode is too low by that mode's mass, with a deceptively
// small ±3σ and a high effective sample size, because every chain misses
// it alike; a run too high needs rare, large weights, and by Markov's
// inequality P(Ẑ ≥ e^t·Z) ≤ e^−t, so the higher of two estimates is more
// than t nats above log Z with probability at most 2e^−t. A
// variance-weighted mean would trust the confident wrong run (on the
// script's 2-epoch model the two runs differ by 35 nats, each with a ±3σ
// under one nat), and the effective sample size cannot see a missed mode
// either. The warnings say when the two runs disagree, when either is below
// the best hard bound, when either rests on a few chains (effective sample size
// below MinESSFraction of the chains, or one weight above MaxWeightShare),
// and when the RAISE bracket is inverted or wider than WideBracket.
//
// # RAISE
//
// Reverse AIS (Burda, Grosse and Salakhutdinov, "Accurate and conservative
// estimates of MRF log-likelihood using reverse annealing", AISTATS 2015).
// The forward chains from A, run through T_(β_1), …, T_(β_K), define a
// generative model p_ann(v) of their last state. For a test image v = v_K,
// RAISE runs the chain backwards, v_(k−1) ~ T_(β_k)(v_k) for k = K, …, 1,
// and weighs the path by
//
//	log ŵ = log p*_1(v) − log Z_A − Σ_(k=0..K−1) log p*_(β_(k+1))(v_k) − log p*_(β_k)(v_k),
//
// an unbiased estimate of p_ann(v), so that E[log ŵ] ≤ log p_ann(v). Its
// mean over the images is a stochastic lower bound on their average log
// p_ann, which becomes the RBM's as the schedule gets slower; it needs no
// log Z, and errs low where AIS errs high. RAISEResult gives the mean and
// its standard error over the images (one chain each). The annealing model
// is only as good as the forward annealing it stands for: when AIS from a
// base misses a mode, that base's p_ann puts the mode's mass on the
// others, and its RAISE can land above the truth (3.5 nats above the exact
// value, with 500 β, on a 784×12 model trained by the script's recipe on
// 200 images); a base far from the model makes RAISE loose instead (6 nats
// below, with 1,000 β, for the uniform base on a model with strong pixel
// biases). EstimateLogLikelihood therefore runs RAISE to the base of the
// AIS run it chose, from evenly spaced test images, and reports the
// bracket [RAISE, AIS] on those images: AIS's log Ẑ errs low, so −F − log Ẑ
// errs high.
//
// # Randomness and cores
//
// AIS draws, in order: the chains' initial states (Chains×Visible), then at
// each of β_1, …, β_(K−1) the hidden (Chains×Hidden) and then the visible
// (Chains×Visible) states, row by row. RAISE draws at each of β_K, …, β_1
// the hidden then the visible states of its chains. The chains are shared
// between the calling goroutine and package par's helper: each takes the
// next chain not yet taken and runs it through a block of up to 16 steps,
// and they meet once a block; the next block's uniforms are drawn on one
// of them, in that order, while the chains run, so the results depend
// neither on how the work was shared nor on the block length (tested). Each chain keeps its fields v·W + c
// (with v·b and v·b_A as two extra columns of W) and h·Wᵀ + b, sums of
// rows in float32 (every state is 0/1), up to date from step to step: the
// rows of the units that flipped are added (0 → 1) or subtracted (1 → 0),
// and the sum is made afresh, from the rows of the ones in increasing
// index, when as many units flipped as the state has ones or after a
// bounded number of rows (late in the schedule a few units flip per step,
// so this is most of the work saved). The fields thus depend on the
// chain's own history, and stay within float32 rounding of the exact
// products (tested). σ and softplus are package f32's, in float32 with
// float64 sums.
//
// Average log-probability (LogProbability): −mean_r F(v_r) − log Z. With
// the best lower bound in place of log Z it is an upper bound, which says
// something only below 0 (LogLikelihood.TestLogProbUpperBound).
//
// Samples (SampleChains): persistent Gibbs chains run with graph.Sampler,
// with snapshots of the visible probabilities every few steps.
//
// # Long work
//
// AIS, RAISE, EstimateLogLikelihood and SampleChains take a context: when it
// is cancelled they stop within one step and return an error wrapping
// ctx.Err(). They, and Evaluate, tell a Progress of each step done.
package metrics
