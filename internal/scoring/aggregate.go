package scoring

import (
	"math"
	"slices"

	"vertaa/internal/assessment"
)

// Stats summarises a group of scores. The caller applies the anonymity
// threshold: Stats never hides anything by itself.
type Stats struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	// SD is the sample standard deviation (n-1 in the denominator); zero
	// for fewer than two scores.
	SD  float64 `json:"sd"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Summarize computes the statistics of values. It does not modify values.
func Summarize(values []float64) Stats {
	n := len(values)
	if n == 0 {
		return Stats{}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	var sum float64
	for _, v := range sorted {
		sum += v
	}
	st := Stats{N: n, Mean: sum / float64(n), Min: sorted[0], Max: sorted[n-1]}
	if n%2 == 1 {
		st.Median = sorted[n/2]
	} else {
		st.Median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	if n > 1 {
		var ss float64
		for _, v := range sorted {
			d := v - st.Mean
			ss += d * d
		}
		st.SD = math.Sqrt(ss / float64(n-1))
	}
	return st
}

// Distribution counts values per level of q, in the order of q.Levels.
// Values outside the score range are not counted.
func Distribution(q *assessment.Questionnaire, values []float64) []int {
	counts := make([]int, len(q.Levels))
	for _, v := range values {
		if i := q.LevelIndex(v); i >= 0 {
			counts[i]++
		}
	}
	return counts
}

// GroupArea summarises one area over a group of results.
type GroupArea struct {
	ID    string `json:"id"`
	Stats Stats  `json:"stats"`
	// Levels counts the respondents per level, in the order of q.Levels.
	Levels []int `json:"levels"`
	// NotEnough counts the respondents without a score in the area.
	NotEnough int `json:"not_enough"`
}

// Group summarises the areas and the overall score of results that all
// come from questionnaire q. Only results with a score count towards the
// statistics of an area.
func Group(q *assessment.Questionnaire, results []Result) (areas []GroupArea, overall GroupArea) {
	areas = make([]GroupArea, len(q.Areas))
	values := make([]float64, 0, len(results))
	for i := range q.Areas {
		values = values[:0]
		g := &areas[i]
		g.ID = q.Areas[i].ID
		for _, r := range results {
			if i < len(r.Areas) && r.Areas[i].Enough {
				values = append(values, r.Areas[i].Score)
			} else {
				g.NotEnough++
			}
		}
		g.Stats, g.Levels = Summarize(values), Distribution(q, values)
	}
	values = values[:0]
	overall.ID = "overall"
	for _, r := range results {
		if r.Overall.Enough {
			values = append(values, r.Overall.Score)
		} else {
			overall.NotEnough++
		}
	}
	overall.Stats, overall.Levels = Summarize(values), Distribution(q, values)
	return areas, overall
}
