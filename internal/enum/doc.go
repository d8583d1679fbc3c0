// Package enum names the values of the small enumerations the library's
// options take (the cost graph, a schedule's shape, a classifier's input,
// a completion's mask): one table of names per type, read the same way by
// its String, its parser and its error messages.
package enum
