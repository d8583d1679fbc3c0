// Package linalg holds the products of the fast cost graph and the
// sampler, shared with the helpers of the par.Pool the caller passes (nil:
// on the calling goroutine alone):
//
//   - Affine, x·w + c, and AffineTrans, x·wᵀ + c (w given with its
//     transpose), which add up rows when x is 0/1 and use BLAS otherwise;
//   - OnesTransProduct, xᵀ·g for a 0/1 x: the gradient with respect to W;
//   - Transpose, and Gemm, BLAS's product cut into tiles.
//
// Every product of CD training has a 0/1 operand: the data batch is a
// Bernoulli sample of the pixel intensities, and the hidden states and the
// reconstruction are Bernoulli samples too. x·w for a 0/1 row x is the sum
// of the rows of w where x is 1, so for MNIST's batches (about 13 % of
// pixels set) it costs a seventh of the multiply-adds of a dense product.
// Affine and AffineTrans share such a product out by column bands of 64,
// each for every row (a band reads the same 256 bytes of each row of w for
// all the rows), and hand each finished block to the caller's Then, so
// that element-wise work that follows (σ, sampling) is done while the block
// is in cache.
//
// # Guarantees
//
//   - A product with a 0/1 operand is summed in a fixed order: from c (or
//     0), the selected rows in increasing index. Its bits do not depend on
//     how the work was shared between goroutines, nor on the machine
//     (package f32's kernels and Go twins agree bit for bit).
//   - Then sees every block of the output once, after it is final.
//   - Dense products go to gonum's BLAS, or with the build tag openblas to
//     the system's OpenBLAS (one thread, internal/openblas).
//
// A Scratch holds the buffers a product needs (the offsets of the ones, a
// transposed operand); keep one per caller so that repeated products
// allocate nothing.
package linalg
