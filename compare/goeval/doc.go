// Command goeval is the Go half of the side-by-side comparison that
// compare/run.sh runs, and the evaluator of saved parameters behind the
// README's tables of log-likelihoods.
//
//	goeval eval -data DIR -seed S -params DIR -out FILE
//	    test reconstruction error and mean free energy of trained parameters
//	    on the 10,000 test images, binarized with a source seeded with S
//	    (package metrics: h sampled from p(h|v), MSE between v and p(v|h));
//	goeval freeenergy -data DIR -images N -out FILE DIR...
//	    mean free energy per image of the first N test images (grey values
//	    pixel/255) for each parameter folder: the cross-over check;
//	goeval sidebyside -python DIR -go DIR -seed S -out FILE
//	    the two implementations' reconstructions of the last batch, side by
//	    side with titles (viz.Figure);
//	goeval report -dir OUT -seeds 1,2,3 -epochs E -limit N [-quick] -data DIR -images N
//	    report.json and report.md from a run's folder; exits 1 if a line or
//	    the cross-over fails;
//	goeval loglik [-seed S] [-betas N] [-chains N] [-raise-images N] [-out FILE] DIR...
//	    for each parameter folder, what gorbm -seed S -ais prints (the combined
//	    AIS estimate of the average test log-probability, RAISE beside it) and
//	    the test pseudo-log-likelihood of -eval, without training again;
//	goeval classify [-seed S] [-epochs N] [-batch B] [-lr X] [-lr-final Y] [-l2 Z] [-validate N] [-input binarized|once|grey] [-test-binarizations K] [-raw=false] DIR...
//	    a softmax classifier (package classify) on the 60,000 training
//	    images' raw pixels and on each folder's p(h|v), with the accuracy on
//	    the 10,000 test images (or, with -validate N, on the last N training
//	    images, held out: for tuning), through gorbm -classify's pipeline
//	    (evaluate);
//	goeval complete [-seed S] [-images N] [-steps K] [-mask top|random] [-given F] [-picture NAME] DIR...
//	    the first N test images (binarized as -eval does) completed from
//	    their top rows or random pixels (the fraction F of them) by each
//	    folder's model and by the base-rate model, through gorbm -complete's
//	    pipeline: the fraction of missing pixels equal to the truth, and a
//	    picture of the first 12.
package main
