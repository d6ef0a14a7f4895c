package scoring_test

import (
	"math/rand/v2"
	"testing"

	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// BenchmarkScore scores full responses to the shipped leadership
// questionnaire. The goal is at least 200,000 responses per second on one
// core (go test -bench Score -cpu 1). The floor sub-benchmark does the
// least any scorer must do, visiting every answer once and summing the
// values, so that the ratio score/floor can be compared across machines.
func BenchmarkScore(b *testing.B) {
	var q *assessment.Questionnaire
	for _, sq := range shipped(b) {
		if sq.ID == "johtamisosaaminen" {
			q = sq
		}
	}
	if q == nil {
		b.Fatal("no shipped questionnaire johtamisosaaminen")
	}
	s := scoring.New(q)
	rng := rand.New(rand.NewPCG(7, 11))
	responses := make([]assessment.Answers, 1024)
	for i := range responses {
		ans := assessment.Answers{}
		for _, a := range q.Areas {
			for _, it := range a.Items {
				if it.Scored() {
					sc, _ := q.Scale(it.Scale)
					ans[it.ID] = assessment.Answer{Value: sc.Points[rng.IntN(len(sc.Points))].Value}
				}
			}
		}
		responses[i] = ans
	}
	var sink float64
	b.Run("floor", func(b *testing.B) {
		i := 0
		for b.Loop() {
			for _, a := range responses[i%len(responses)] {
				sink += a.Value
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
	})
	b.Run("score", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r, err := s.Score(responses[i%len(responses)])
			if err != nil {
				b.Fatal(err)
			}
			sink += r.Overall.Score
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
	})
	_ = sink
}
