package scoring_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

func TestSummarize(t *testing.T) {
	cases := []struct {
		in   []float64
		want scoring.Stats
	}{
		{nil, scoring.Stats{}},
		{[]float64{3}, scoring.Stats{N: 1, Mean: 3, Median: 3, Min: 3, Max: 3}},
		// mean 2.5; squares of deviations 2.25+0.25+0.25+2.25 = 5; sd = sqrt(5/3)
		{[]float64{4, 1, 3, 2}, scoring.Stats{N: 4, Mean: 2.5, Median: 2.5, SD: math.Sqrt(5.0 / 3), Min: 1, Max: 4}},
		{[]float64{5, 1, 2}, scoring.Stats{N: 3, Mean: 8.0 / 3, Median: 2, SD: math.Sqrt((49.0/9 + 25.0/9 + 4.0/9) / 2), Min: 1, Max: 5}},
	}
	for _, tc := range cases {
		in := append([]float64(nil), tc.in...)
		got := scoring.Summarize(tc.in)
		if got.N != tc.want.N || !near(got.Mean, tc.want.Mean) || !near(got.Median, tc.want.Median) ||
			!near(got.SD, tc.want.SD) || got.Min != tc.want.Min || got.Max != tc.want.Max {
			t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) {
			t.Errorf("Summarize reordered its input: %v", tc.in)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestDistribution(t *testing.T) {
	q := loadFixture(t) // low [1,2.5) mid [2.5,4) high [4,5]
	got := scoring.Distribution(q, []float64{1, 2.49, 2.5, 3.99, 4, 5, 0.5, 5.01})
	if want := []int{2, 2, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Distribution = %v, want %v (values outside 1..5 not counted)", got, want)
	}
}

// TestGroupAgainstBruteForce compares Group with a direct computation over
// random results.
func TestGroupAgainstBruteForce(t *testing.T) {
	q := loadFixture(t)
	s := scoring.New(q)
	rng := rand.New(rand.NewPCG(1, 2))
	var results []scoring.Result
	for range 200 {
		r, err := s.Score(randomAnswers(q, rng))
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	areas, overall := scoring.Group(q, results)
	for i, a := range q.Areas {
		var vals []float64
		notEnough := 0
		counts := make([]int, len(q.Levels))
		for _, r := range results {
			if !r.Areas[i].Enough {
				notEnough++
				continue
			}
			vals = append(vals, r.Areas[i].Score)
			for li, l := range q.Levels {
				if r.Areas[i].Level == l.ID {
					counts[li]++
				}
			}
		}
		checkGroup(t, a.ID, areas[i], vals, notEnough, counts)
	}
	var vals []float64
	notEnough := 0
	counts := make([]int, len(q.Levels))
	for _, r := range results {
		if !r.Overall.Enough {
			notEnough++
			continue
		}
		vals = append(vals, r.Overall.Score)
		for li, l := range q.Levels {
			if r.Overall.Level == l.ID {
				counts[li]++
			}
		}
	}
	checkGroup(t, "overall", overall, vals, notEnough, counts)
}

func checkGroup(t *testing.T, id string, g scoring.GroupArea, vals []float64, notEnough int, counts []int) {
	t.Helper()
	if g.ID != id || g.Stats.N != len(vals) || g.NotEnough != notEnough || !reflect.DeepEqual(g.Levels, counts) {
		t.Errorf("%s: got id %s n %d not-enough %d levels %v; want n %d not-enough %d levels %v",
			id, g.ID, g.Stats.N, g.NotEnough, g.Levels, len(vals), notEnough, counts)
	}
	if len(vals) == 0 {
		return
	}
	var sum float64
	for _, v := range vals {
		sum += v
	}
	mean := sum / float64(len(vals))
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	sorted := append([]float64(nil), vals...)
	sort.Float64s(sorted)
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + median) / 2
	}
	if !near(g.Stats.Mean, mean) || !near(g.Stats.Median, median) || (len(vals) > 1 && !near(g.Stats.SD, math.Sqrt(ss/float64(len(vals)-1)))) {
		t.Errorf("%s: stats %+v, want mean %v median %v", id, g.Stats, mean, median)
	}
}

// randomAnswers answers each item of q at random: a point, "not
// applicable" where offered, or nothing.
func randomAnswers(q *assessment.Questionnaire, rng *rand.Rand) assessment.Answers {
	ans := assessment.Answers{}
	for _, a := range q.Areas {
		for _, it := range a.Items {
			if it.Kind == assessment.TextItem {
				continue
			}
			sc, _ := q.Scale(it.Scale)
			switch r := rng.IntN(10); {
			case r == 0:
			case r == 1 && it.NotApplicable:
				ans[it.ID] = assessment.Answer{NA: true}
			default:
				ans[it.ID] = assessment.Answer{Value: sc.Points[rng.IntN(len(sc.Points))].Value}
			}
		}
	}
	return ans
}
