// Package complete fills in the missing pixels of images with an RBM: the
// model is a distribution over whole images, so clamping the pixels that
// are given and Gibbs sampling the rest draws from p(rest | given).
//
// # Conditional Gibbs sampling
//
// A mask says which of the Visible pixels are given (true) and which are to
// be completed: Top gives an image's top rows, Random pixels drawn from a
// seeded source (TopHalf and RandomHalf, half of them). Complete starts each image's missing pixels off (as most
// of an MNIST image is: from there the chains settle in fewer steps than
// from fair coin flips) and repeats
//
//	h ~ p(h | v),   v ~ p(v | h),   v_given ← the image's given pixels,
//
// Steps times (graph.Sampler's VisibleToHidden and HiddenToVisible): a
// Gibbs chain of the RBM with the given pixels held fixed, whose
// stationary distribution is the model's p(missing | given). It returns the
// last sample and the mean, over the last half of the steps, of p(v | h) on
// the missing pixels: an estimate of each missing pixel's conditional
// probability of being on.
//
// BaseRate is the yardstick: each missing pixel drawn independently from
// its training marginal, whatever is given. Score says how often a
// completion's missing pixels equal the truth, for the sample and for the
// most probable value (probability above ½).
//
// # Randomness
//
// Every draw comes from a graph.Uniform the caller passes in. Complete
// works through the images in chunks of at most ChunkRows, and for each
// chunk draws per step the hidden (rows×Hidden) and then the visible
// (rows×Visible) states, row by row. BaseRate draws rows×Visible, one per
// pixel, given or not.
//
// # Errors
//
// Bad input is reported before any sampling: a mask that does not have the
// model's Visible pixels, one that gives no pixel or every pixel, images
// that are not 0/1 or not rows×Visible values, fewer than one step.
package complete
