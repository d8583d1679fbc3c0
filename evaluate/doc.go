// Package evaluate is the one way gorbm evaluates a model, wherever it is
// asked: the command's -eval (after each epoch, or once for a loaded model),
// its -ais, its sample chains, its -classify and -complete, and
// compare/goeval's loglik, classify and complete, and the notebooks.
//
// For a run seeded with seed, Data binarizes the same test images and the
// same first training images (train.EvalImages), Metrics and LogLikelihood
// draw from the same streams (internal/rng: Eval, restarted at each call, and
// AIS) and run the same estimators (package metrics), and Samples starts
// its chains from the same noise or test images (rng.Samples): so a number
// the command prints for a model it trained is the number it prints for the
// same model loaded again, and the number goeval prints for it.
//
// Classify trains a softmax classifier (package classify) on the training
// images' raw pixels or a model's p(h|v), binarized afresh each epoch by
// default (Input), and Complete completes the evaluation's test images
// given some of their pixels (package complete), against the base-rate
// model; each draws from streams of its own (rng.ClassifyData and
// rng.Classify; rng.Complete and rng.CompleteMask).
//
// LogLikelihood's, Classify's and Complete's results are the records the
// command writes into metrics.json ("ais", "classification",
// "completion"); their JSON field names are part of that file's format.
package evaluate
