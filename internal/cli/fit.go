package cli

import (
	"context"
	"errors"
	"fmt"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// fit trains from the plan's start as the script does, printing the
// script's line per epoch, and saves a checkpoint after each epoch (unless
// the one kept is further along) with rep's history. When ctx is cancelled
// it finishes the current batch, saves a checkpoint and returns the model
// and result so far with an error wrapping context.Canceled that says
// where the checkpoint is. When training diverges it keeps the last good
// checkpoint and returns no model.
func (p *Plan) fit(ctx context.Context, env Env, rep *reporter) (*graph.Model, *train.Result, error) {
	// model = RBM(k=1); train_op = optim.SGD(model.parameters(), 0.1)
	src := train.NewSources(p.seed)
	model, from := p.loaded, (*train.Result)(nil)
	if ck := p.start.from; ck != nil {
		if err := ck.Restore(src); err != nil {
			return nil, nil, fmt.Errorf("-resume: %s: %w", p.checkpoint, err)
		}
		model, from = ck.Model, ck.Result
	}
	if model == nil {
		var err error
		if model, err = graph.New(train.Pixels, p.hidden, src.Init); err != nil {
			return nil, nil, err
		}
	}
	trainer, err := graph.NewTrainer(model, p.lr)
	if err != nil {
		return nil, nil, err
	}
	defer trainer.Close()
	if err := trainer.SetGraph(p.graph); err != nil {
		return nil, nil, err
	}
	if from == nil { // a fresh run: -init-vbias, -centered
		if err := p.initModel(trainer); err != nil {
			return nil, nil, err
		}
	}

	run, settings, keep := p.run(), p.checkpointSettings(), p.start.keep
	saved := "no checkpoint was saved"
	if from != nil {
		saved = "the last good checkpoint is " + where(p.checkpoint, from)
	}
	// save writes a checkpoint of res unless the one kept is further.
	save := func(res *train.Result) (bool, error) {
		if keep != nil && progressOf(res).before(*keep) {
			return false, nil
		}
		h, err := rep.history()
		if err != nil {
			return false, err
		}
		ck := train.Checkpoint{Model: model, Result: res, Run: run, Settings: settings, History: h}
		if err := train.SaveCheckpoint(p.checkpoint, ck, src); err != nil {
			return false, fmt.Errorf("%w (choose another folder with -checkpoint)", err)
		}
		keep = nil
		saved = "the last good checkpoint is " + where(p.checkpoint, res)
		return true, nil
	}

	cfg := p.config
	if env.Progress != nil || env.Hook != nil {
		cfg.OnBatch = func(epoch, batch, batches int, loss float32) {
			rep.onBatch(epoch, batch, batches, loss)
			env.hook(ctx, hookBatch, epoch, batch)
		}
	}
	// for epoch in range(2): ... print("Training loss for {} epoch: {}")
	res, err := train.FitContext(ctx, trainer, p.trainSet, cfg, src, from, func(e train.Epoch) error {
		fmt.Fprintf(env.Stdout, "Training loss for %d epoch: %v\n", e.Epoch, float32(e.Loss))
		if err := rep.epoch(model, e); err != nil { // -eval
			return err
		}
		if _, err := save(e.Result); err != nil {
			return err
		}
		env.hook(ctx, hookEpoch, e.Epoch)
		return nil
	})
	var diverged *train.DivergedError
	switch {
	case err == nil:
		return model, res, nil
	case errors.As(err, &diverged):
		return nil, nil, fmt.Errorf("%w: %s; %s", err, p.advice(diverged), saved)
	case !errors.Is(err, context.Canceled):
		return nil, nil, err
	}

	// Interrupted: save what was trained, if anything was.
	if from == nil {
		from = &train.Result{}
	}
	if progressOf(res) == progressOf(from) {
		return nil, nil, interruption("interrupted before the first batch: nothing trained, nothing saved", err)
	}
	ok, serr := save(res)
	switch {
	case serr != nil:
		return nil, nil, fmt.Errorf("interrupted, and saving the checkpoint failed: %w", serr)
	case ok:
		return model, res, interruption(fmt.Sprintf("interrupted: checkpoint %s: continue with the same flags and -resume", where(p.checkpoint, res)), err)
	}
	return model, res, interruption(fmt.Sprintf("interrupted at %v: the checkpoint in %q, further along (%v), is kept: continue it with -resume",
		progressOf(res), p.checkpoint, *keep), err)
}

// advice says what to change after training diverged as d says.
func (p *Plan) advice(d *train.DivergedError) string {
	switch {
	case p.loaded != nil && p.start.from == nil && d.Epoch == 0 && d.Batch == 0 && d.Params == nil:
		return fmt.Sprintf("that loss is of the parameters of -load %s, before the first step: they cannot be trained as they are; load others", p.load)
	case p.config.WeightDecay != 0:
		return "try a smaller learning rate (-lr) or weight decay (-weight-decay)"
	}
	return "try a smaller learning rate (-lr)"
}

// initModel gives a fresh model (or one read with -load) and its trainer
// the data-dependent initialisation the flags ask for: the visible biases
// from the training pixels' means, the centered model's offsets. A loaded
// model keeps its biases (NewPlan refuses -init-vbias data with -load);
// only its offsets are set.
func (p *Plan) initModel(t *graph.Trainer) error {
	m := t.Model()
	if !p.init.VisibleBias && !p.init.Centered {
		return nil
	}
	d := p.trainSet
	marginals, err := metrics.PixelMarginals(d.Images, d.N, train.Pixels)
	if err != nil {
		return err
	}
	if p.loaded == nil {
		return p.init.Apply(t, marginals)
	}
	vb, hb := make([]float32, m.Visible()), make([]float32, m.Hidden())
	_, b, c := m.Params()
	copy(vb, b)
	copy(hb, c)
	if err := p.init.Apply(t, marginals); err != nil {
		return err
	}
	w, _, _ := m.Params()
	return m.SetParams(w, vb, hb) // the loaded biases, now with offsets
}
