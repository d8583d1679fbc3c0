// Package classify tells digits apart with a softmax (multinomial logistic)
// classifier written with Gorgonia's stock ops and trained by Gorgonia's
// Adam solver, on raw pixels or on an RBM's hidden probabilities p(h|v):
// what the course's RBM is good for beyond its samples.
//
// # Model
//
// For an input row x of D features (pixels, or p(h=1|v) of H hidden units)
// the classifier gives the class probabilities
//
//	p(y = k | x) = softmax(x·W + b)_k,
//
// W being D×K (row-major, K classes) and b K biases. Train minimises the
// mean cross-entropy over a batch plus ½·L2·‖W‖² (the biases are not
// decayed),
//
//	cost = −mean_rows Σ_k y_k · logsoftmax(x·W + b)_k + ½·L2·Σ W²,
//
// y being the one-hot label, built from Gorgonia's Mul, BroadcastAdd,
// LogSoftMax, HadamardProd, Sum, Mean, Neg and Square; gorgonia.Grad
// differentiates it and Adam (gorgonia.NewAdamSolver) steps W and b after
// each batch. The problem is convex, so W and b start at zero: no random
// draw is needed to break a symmetry.
//
// # Data and randomness
//
// Inputs are row-major float32 slices of rows×D values, labels one uint8
// per row. Each epoch visits the training rows in a fresh random order
// drawn from a Shuffler the caller owns (*math/rand/v2.Rand is one), in
// batches of Options.BatchSize, the last one shorter; a seed fixes every
// number. Binarizing the images is the caller's (train.Binarize, with a
// seeded source), as is choosing a validation split when tuning;
// Options.Refresh lets the caller give each epoch rows of its own, such as
// a fresh binarization of the images.
//
// Features returns an RBM's hidden probabilities σ(v·Wᵀ + c) for rows of
// visible vectors (graph.Model.HiddenProbabilities): the features of part
// (b).
package classify
