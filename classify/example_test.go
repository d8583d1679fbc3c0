package classify_test

import (
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/classify"
)

// Two classes of points in the plane, above and below the diagonal: the
// classifier learns the line from 200 seeded points and labels 100 others.
func ExampleEvaluate() {
	src := rand.New(rand.NewPCG(1, 2)) // every draw from a seeded source
	points := func(n int) ([]float32, []uint8) {
		x, labels := make([]float32, 2*n), make([]uint8, n)
		for i := range labels {
			a, b := src.Float32(), src.Float32()
			x[2*i], x[2*i+1] = a, b
			if a > b {
				labels[i] = 1
			}
		}
		return x, labels
	}
	train, trainLabels := points(200)
	test, testLabels := points(100)
	r, err := classify.Evaluate(classify.Data{Train: train, TrainLabels: trainLabels, Test: test, TestLabels: testLabels, Inputs: 2},
		classify.Options{Epochs: 200, BatchSize: 20, LearnRate: 0.05}, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("test accuracy %.2f\n", r.TestAccuracy)
	fmt.Printf("weights favour class 1 when x > y: %v\n", r.Classifier.W[1] > r.Classifier.W[0] && r.Classifier.W[3] < r.Classifier.W[2])
	// Output:
	// test accuracy 0.98
	// weights favour class 1 when x > y: true
}
