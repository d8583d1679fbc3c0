// Package evaluate is the one way gorbm evaluates a model, wherever it is
// asked: the command's -eval (after each epoch, or once for a loaded model),
// its -ais and its sample chains, and compare/goeval's loglik.
//
// For a run seeded with seed, Data binarizes the same test images and the
// same first training images (train.EvalImages), Metrics and LogLikelihood
// draw from the same streams (internal/rng: Eval, restarted at each call, and
// AIS) and run the same estimators (package metrics), and Samples starts
// its chains from the same noise or test images (rng.Samples): so a number
// the command prints for a model it trained is the number it prints for the
// same model loaded again, and the number goeval prints for it.
//
// LogLikelihood's result is the record the command writes into
// metrics.json ("ais"); its JSON field names are part of that file's
// format.
package evaluate
