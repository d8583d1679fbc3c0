package cli

import (
	"fmt"
	"strconv"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// A Plan is a run decided and checked: every flag's value alone and
// together, every path resolved and looked at, the inputs read and
// verified (the MNIST files, -load's parameters, the checkpoint), the
// memory the run will need against what there is, and the run's identity,
// which decides which checkpoint it may continue or replace. Making a plan
// writes nothing: everything a run could fail on before its work is found
// here, and Run does the work.
type Plan struct {
	settings
	paths
	inputs
	trainSet *train.Dataset // the training images used: the first -limit of the file
	id       identity       // the run's identity
	start    start          // where training starts (training runs)
	held     held           // what -out holds of this run's outputs already
}

// NewPlan checks the flags and what they name in env, and returns the plan
// of the run they ask for. An error for which ExitCode is 2 is a mistake
// in the flags alone; the other errors are about the files.
func NewPlan(f Flags, env Env) (*Plan, error) {
	env = env.complete()
	s, err := f.check()
	if err != nil {
		return nil, usageError{err}
	}
	if err := s.need(mnistTrainImages, mnistTestImages).check(env.Memory()); err != nil {
		return nil, usageError{err}
	}
	p := &Plan{settings: s}
	if p.paths, err = findPaths(f, s, env.DataDir); err != nil {
		return nil, err
	}
	if p.inputs, err = readInputs(p.paths, &p.settings, f.given["hidden"], env.Memory()); err != nil {
		return nil, err
	}
	if p.trainFile != nil {
		p.trainSet = p.trainFile.Head(p.limit)
	}
	p.id = p.identity()
	training := p.epochs > 0
	if training {
		if p.start, err = findStart(p.checkpoint, f.resume, f.restart, p.id, p.epochs); err != nil {
			return nil, err
		}
	} else if heldIn(p.out, trainingOutputs) != heldNothing {
		return nil, fmt.Errorf("-out %s holds the outputs of a training run, which the evaluation of -load %s would stand beside or replace: choose another -out", p.out, p.load)
	}
	p.held = heldIn(p.out, outputNames(training))
	return p, nil
}

// run returns the train.Run of the plan: the shape of its training.
func (p *Plan) run() train.Run { return p.config.Run(p.hidden, p.trainSet.N) }

// identity computes the run's identity: everything its result depends on.
// A training run's is its train.Run and the settings below, which its
// checkpoints store; a run of -epochs 0 has only the model, the seed and
// the images it is evaluated on, for metrics.json.
func (p *Plan) identity() identity {
	s := identity{"seed": strconv.FormatUint(p.seed, 10)}
	if p.loaded != nil {
		s["load"] = paramsChecksum(p.loaded)
	}
	if p.trainFile != nil {
		s["data"] = imagesChecksum(p.trainFile) // the whole file: another -data folder is noticed
	}
	if p.epochs == 0 {
		if p.testSet != nil {
			s["test"] = imagesChecksum(p.testSet)
		}
		if p.trainSet != nil {
			s["limit"] = strconv.Itoa(p.trainSet.N)
		}
		return s
	}
	c := p.config
	s["lr"] = strconv.FormatFloat(p.lr, 'g', -1, 64)
	if p.graph != graph.Fast { // the graphs agree to rounding, not to the bit
		s["graph"] = p.graph.String()
	}
	if p.recipe != "" {
		s["recipe"] = p.recipe
	}
	if c.LearnRate.DependsOnEpochs() || c.Momentum.DependsOnEpochs() {
		s["epochs"] = strconv.Itoa(p.epochs) // a schedule spans the run
	}
	if p.report.eval {
		s["eval"] = "test images " + imagesChecksum(p.testSet) // the history holds their metrics
	}
	if c.Chains != 0 {
		s["chains"] = strconv.Itoa(c.Chains)
	}
	if c.LearnRate.Set() {
		s["lr-schedule"] = c.LearnRate.String()
	}
	if c.Momentum.Set() {
		s["momentum"] = c.Momentum.String()
	}
	if c.WeightDecay != 0 {
		s["weight-decay"] = strconv.FormatFloat(c.WeightDecay, 'g', -1, 64)
	}
	if p.init.VisibleBias {
		s["init-vbias"] = "data"
	}
	if p.init.Centered {
		s["centered"] = "true"
		s["offset-rate"] = strconv.FormatFloat(c.OffsetRate, 'g', -1, 64)
	}
	return runIdentity(p.run(), s)
}

// checkpointSettings are the settings a checkpoint stores beside its
// train.Run: the identity without what the Run holds.
func (p *Plan) checkpointSettings() map[string]string {
	s := map[string]string{}
	run := runIdentity(p.run(), nil)
	for k, v := range p.id {
		if _, ok := run[k]; !ok {
			s[k] = v
		}
	}
	return s
}
