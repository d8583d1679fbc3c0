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
//     mixed without changing a stream. On amd64 with AVX-512 (F and DQ),
//     without the build tag purego, an assembly kernel runs 16 states of
//     the PCG at once, each moved 16 steps on at a time; its arithmetic is
//     on integers, so its values are exactly those of the Go code, which
//     TestRandFillFloat32 checks against math/rand/v2 with and without it.
//   - Rand.Skip(n) leaves the generator where n Float32 calls would,
//     without making the variates (a jump of the PCG in log₂ n steps).
//   - Take and Drawn hand out variates in order, each once; variates a
//     Drawn's maker skipped can only be passed over (Skip), never handed
//     out.
//
// # Generated assembly
//
// pcg_amd64.s and its Go declaration pcg_amd64.go are written by the avo
// program in _asm (its own module, so this one does not depend on avo); do
// not edit them. After changing the program, run
//
//	go generate ./internal/rng
//
// and commit both files; _asm/check.sh, run by CI, fails if they differ
// from what the program writes.
package rng

//go:generate go run -C _asm . -out ../pcg_amd64.s -stubs ../pcg_amd64.go -pkg rng
