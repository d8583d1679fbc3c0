package rng

import "math/rand/v2"

// The streams of a run, one per purpose, so that drawing more in one place
// never shifts another's numbers: training uses Init, Binarize and Sample;
// the reports (test metrics, AIS, sample chains) use the others, so that
// asking for them leaves the training's draws, and the default job's
// losses, as they are.
const (
	Init     = 1 // the initial weights
	Binarize = 2 // the training data's Bernoulli draws
	Sample   = 3 // the training's Gibbs chains

	EvalData = 0x65766461 // binarizing the test images and the training subset
	Eval     = 0x6576616c // reconstruction and pseudo-likelihood draws, restarted each epoch
	AIS      = 0x61697320 // annealed importance sampling
	Samples  = 0x73616d70 // the sample chains of RBM_samples.png
	Compare  = 0xe7a1     // compare/goeval: the test set's binarization and sampling

	ClassifyData = 0x636c6461 // classification: binarizing the training and the test images
	Classify     = 0x636c6173 // classification: the classifier's shuffles
	CompleteMask = 0x636d736b // digit completion: the random mask
	Complete     = 0x636f6d70 // digit completion: each completion's draws, from the start
)

// NewStream returns the PCG generator of stream number stream of a run
// seeded with seed. Seed and stream are hashed (SplitMix64's finalizer)
// into the generator's 128-bit state, so that nearby seeds (1, 2, 3, …),
// which would otherwise share the state's low 64 bits, start from unrelated
// states. Every random source of the program comes from here.
func NewStream(seed, stream uint64) *rand.PCG {
	return rand.NewPCG(splitmix(seed^splitmix(stream)), splitmix(stream^splitmix(seed)+0x9e3779b97f4a7c15))
}

// New returns a Rand on stream number stream of a run seeded with seed.
func New(seed, stream uint64) *Rand { return NewRand(NewStream(seed, stream)) }

// splitmix is SplitMix64's output function, a bijective 64-bit mixer.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
