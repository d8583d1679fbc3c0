// Package prodtest holds the reference products and checks shared by the
// tests of linalg and graph: products with a 0/1 operand computed in
// float64 with their rounding bounds, and as the float32 sums the fast code
// states it computes; and Main, their TestMain, which runs the tests with a
// pool of one helper, as training shares the work.
package prodtest
