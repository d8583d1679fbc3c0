// Package train brings the MNIST data in and runs the script's training
// loop with a graph.Trainer.
//
// Data: Load reads the four IDX files that the GoMNIST module ships (found
// through the module's folder, see DataDir) into Datasets of uint8 images,
// 784 pixels each, row-major, with a reader that checks each file whole
// (header, size, checksum) in the one pass that reads it (see LoadSet).
// Pixels are divided by 255 into float32, as torchvision's ToTensor does,
// and each batch is binarized with one uniform draw per pixel (v = 1 if
// u < x), as torch's bernoulli does.
//
// Loop: Fit walks the training set in file order in batches of
// Config.BatchSize (no shuffle, the last, shorter batch included), samples
// each batch's reconstruction by k steps of Gibbs sampling outside the graph,
// and lets the model take one SGD step on the free-energy difference. The
// next batch's random draws (its binarization and its Gibbs variates) are
// made on a second goroutine while the current batch trains, from the same
// streams in the same order, so the results are those of drawing in turn. After
// each epoch it reports the mean of the batch losses, the number the script
// prints, through a callback.
//
// Files: SaveParams and LoadParams write and read the parameters as numpy
// .npy files (ReadNpy's one strict header parser decides what is read);
// SaveCheckpoint and LoadCheckpoint keep where a run stands so that
// it can continue bit for bit, with everything needed to check it on
// loading (the run's shape, the files' checksums, counters in range).
//
// Beyond the script (all off in the zero Config): persistent chains, tied
// to the batch or Config.Chains of their own; learning-rate and momentum
// Schedules (step, linear or geometric), weight decay, and the offsets'
// moving average of a centered model, all applied through graph.Trainer's
// setters before each step; InitOptions for the data-dependent start
// (visible biases from the pixel means, the centered model's offsets).
// The Result carries the chains, offsets and velocities, and checkpoints
// save them, so a run continued from one ends as an uninterrupted run.
//
// Randomness comes from Sources: one seeded stream per purpose
// (initialisation, binarization, sampling; their numbers, with every other
// stream of the program, are in internal/rng), so that changing one use
// does not shift the others.
package train
