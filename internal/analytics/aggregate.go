package analytics

import (
	"math"
	"slices"

	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// Stat sums the scores of one column (an area, or overall) over a set of
// respondents: enough to give their mean, SD and level counts, to add one
// more respondent and to merge with another Stat. The mean and the sum of
// squared deviations are updated as by Welford and by Chan et al., which
// stay exact where all scores are equal and lose nothing to cancellation.
type Stat struct {
	N      int
	Mean   float64
	M2     float64 // the sum of squared deviations from Mean
	Levels []int   // respondents per level of the questionnaire
}

// SD is the sample standard deviation; zero for fewer than two scores.
func (s Stat) SD() float64 {
	if s.N < 2 {
		return 0
	}
	return math.Sqrt(max(0, s.M2/float64(s.N-1)))
}

func (s *Stat) add(v float64, level int) {
	s.N++
	d := v - s.Mean
	s.Mean += d / float64(s.N)
	s.M2 += d * (v - s.Mean)
	if level >= 0 {
		s.Levels[level]++
	}
}

func (s *Stat) merge(o Stat) {
	if o.N == 0 {
		return
	}
	if s.N == 0 {
		s.N, s.Mean, s.M2 = o.N, o.Mean, o.M2
	} else {
		n := float64(s.N + o.N)
		d := o.Mean - s.Mean
		s.Mean += d * float64(o.N) / n
		s.M2 += o.M2 + d*d*float64(s.N)*float64(o.N)/n
		s.N += o.N
	}
	for i, k := range o.Levels {
		s.Levels[i] += k
	}
}

// Bucket holds the respondents who answered as members of the same set
// of teams.
type Bucket struct {
	Teams       []string // sorted, without repeats; empty for no team
	Respondents int
	Cols        []Stat // the questionnaire's areas, then overall
}

// Aggregate sums the responses of a round to one questionnaire version by
// the teams their authors answered as members of. It is what a summary's
// figures are computed from, and what a precomputed summary keeps: it is
// built up one response at a time, merged, and never needs the responses
// again. Which team sets respondents share is all that complementary
// suppression needs to know about them.
type Aggregate struct {
	Buckets []Bucket
}

// NewAggregate returns an empty aggregate.
func NewAggregate() *Aggregate { return &Aggregate{} }

// Add adds one response's result, made by a member of teams, for
// questionnaire q. The result must have q's areas.
func (a *Aggregate) Add(q *assessment.Questionnaire, teams []string, r scoring.Result) {
	b := a.bucket(q, teams)
	b.Respondents++
	for c := range b.Cols {
		if v, ok := scoreIn(r, c); ok {
			b.Cols[c].add(v, q.LevelIndex(v))
		}
	}
}

// Merge adds every respondent of o.
func (a *Aggregate) Merge(q *assessment.Questionnaire, o *Aggregate) {
	for _, ob := range o.Buckets {
		b := a.bucket(q, ob.Teams)
		b.Respondents += ob.Respondents
		for c := range b.Cols {
			b.Cols[c].merge(ob.Cols[c])
		}
	}
}

// Regroup adds every respondent of o as a member of teams alone, as the
// network's aggregate holds each organisation's respondents as members of
// that organisation.
func (a *Aggregate) Regroup(q *assessment.Questionnaire, teams []string, o *Aggregate) {
	b := a.bucket(q, teams)
	for _, ob := range o.Buckets {
		b.Respondents += ob.Respondents
		for c := range b.Cols {
			b.Cols[c].merge(ob.Cols[c])
		}
	}
}

// Respondents counts the respondents of the aggregate.
func (a *Aggregate) Respondents() int {
	n := 0
	for _, b := range a.Buckets {
		n += b.Respondents
	}
	return n
}

// bucket returns the bucket of a team set, adding it, in order, if new.
func (a *Aggregate) bucket(q *assessment.Questionnaire, teams []string) *Bucket {
	key := slices.Compact(slices.Sorted(slices.Values(teams)))
	i, found := slices.BinarySearchFunc(a.Buckets, key, func(b Bucket, k []string) int { return slices.Compare(b.Teams, k) })
	if !found {
		b := Bucket{Teams: key, Cols: make([]Stat, len(q.Areas)+1)}
		for c := range b.Cols {
			b.Cols[c].Levels = make([]int, len(q.Levels))
		}
		a.Buckets = slices.Insert(a.Buckets, i, b)
	}
	return &a.Buckets[i]
}

// scoreIn is a result's score in column c (an area, or overall past the
// areas), and whether it has one.
func scoreIn(r scoring.Result, c int) (float64, bool) {
	if c < len(r.Areas) {
		return r.Areas[c].Score, r.Areas[c].Enough
	}
	return r.Overall.Score, r.Overall.Enough
}
