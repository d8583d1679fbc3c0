// Package metrics says how good a trained graph.Model is: reconstruction
// error, free energies, pseudo-log-likelihood, the partition function (exact
// for small hidden layers, by annealed importance sampling otherwise), the
// average log-probability of test images, and samples from the model.
//
// # Conventions
//
// A batch v is a row-major float32 slice of rows×Visible values, normally
// binary (MNIST pixels binarized with a seeded source). The model stores W
// as Visible×Hidden (see package graph); b is the visible and c the hidden
// bias. Every random draw comes from a graph.Uniform the caller passes in,
// consumed in a documented order, so a seed fixes every number. Sums and
// logarithms are float64; products of the weight matrix with a batch are
// float32 (gonum blas32), as in training.
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
// Annealed importance sampling (AIS), after Salakhutdinov and Murray, "On
// the quantitative analysis of deep belief networks", ICML 2008, and their
// RBM_AIS.m: the base-rate model A has visible biases b_A = logit(p) from
// the training data's pixel marginals p (clipped to [BaseRateClip,
// 1−BaseRateClip]), no weights, and as many hidden units as the model with
// zero biases, so log Z_A = Σ_i softplus(b_A,i) + H·log 2. The intermediate
// distributions are
//
//	p*_β(v) = exp((1−β)·v·b_A + β·v·b) · Π_j (1 + exp(β·(v·W + c)_j)),
//
// for 0 = β_0 < β_1 < … < β_K = 1, each with the Gibbs transition h ~
// σ(β(v·W + c)), v ~ σ((1−β)b_A + β(h·Wᵀ + b)). Each of the chains starts
// with an exact sample of A and accumulates the log importance weight
// Σ_k log p*_k(v_k) − log p*_(k−1)(v_k); log Z ≈ log Z_A + log mean(w). The
// bounds are log(ŵ ± 3σ̂) + log Z_A with σ̂ the standard error of the mean
// weight (the paper's "±3 standard deviations"); the lower bound is −Inf
// when ŵ < 3σ̂. PaperSchedule is the paper's schedule (β in steps of 1e-3
// up to 0.5, 1e-4 up to 0.9, 1e-5 up to 1: 14,501 values), Schedule(n) the
// same three segments with n values in all, for cheaper runs.
//
// Average log-probability (LogProbability): −mean_r F(v_r) − log Z.
//
// Samples (SampleChains): persistent Gibbs chains run with graph.Sampler,
// with snapshots of the visible probabilities every few steps.
package metrics
