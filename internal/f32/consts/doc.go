// Package consts holds the constants of the float32 kernels of package f32:
// its Go twins compute with them, and the generator of its assembly
// (internal/f32/_asm, a module of its own) writes them into the tables the
// kernels read. It imports only math, so that the generator can import it.
package consts
