// Package rng is the home of the program's random streams: one seeded PCG
// generator (math/rand/v2) per purpose (NewStream and the stream numbers),
// a Rand that hands out many uniform variates at once with exactly the
// values, in the order, that one Float32 call each would give, and a Drawn
// that hands out variates drawn beforehand.
//
// # Guarantees
//
//   - NewStream(seed, stream) is a pure function of its arguments: a seed
//     fixes every number of a run.
//   - Rand.FillFloat32(dst) gives the values of len(dst) calls of
//     rand.Rand.Float32 on the same generator and leaves the generator
//     where those calls would, so bulk and one-at-a-time drawing can be
//     mixed without changing a stream.
//   - Rand.Skip(n) leaves the generator where n Float32 calls would,
//     without making the variates (a jump of the PCG in log₂ n steps).
//   - Take and Drawn hand out variates in order, each once; variates a
//     Drawn's maker skipped can only be passed over (Skip), never handed
//     out.
package rng
