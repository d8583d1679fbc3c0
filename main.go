// Command gorbm trains the course's restricted Boltzmann machine on MNIST,
// as the PyTorch script rbm_pytorch.py does, on a Gorgonia graph.
//
//	go run .                        # the script's job: 2 epochs, batches of 64, CD-1, 500 hidden units
//	go run . -h                     # the flags
//	go run . -load DIR -epochs 0 -ais -out EVAL  # evaluate and sample a saved model
//
// It prints the script's line per epoch and writes RBM_out_real.png,
// RBM_out_generated.png and RBM_out_figure.png into the -out folder, with
// the trained parameters as W.npy, v_bias.npy and h_bias.npy. The command
// itself lives in internal/cli: flags, then a checked plan, then the run.
package main

import (
	"os"

	"gorbm.dev/gorbm/internal/cli"
)

func main() {
	cli.TuneGC()
	os.Exit(cli.Main(os.Args[1:], cli.OSEnv()))
}
