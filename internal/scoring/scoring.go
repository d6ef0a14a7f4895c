// Package scoring turns a respondent's answers into scores: per competence
// area, overall, the level of each, strengths and development areas, and
// the feedback to show. It also summarises groups of results. It is pure:
// no I/O, no clocks, no randomness.
//
// The rules:
//   - An answer's value is reversed first for reverse-scored items
//     (v' = lowest + highest - v on the item's scale), then mapped linearly
//     from its scale's range onto the questionnaire's score range.
//   - An area's score is the mean of its answered scored items, rounded to
//     two decimals. "Not applicable" answers and unanswered items are left
//     out. An area with fewer answers than its minimum gets no score: it is
//     reported as "not enough answers".
//   - The overall score is the mean of the scored areas weighted by their
//     weights, rounded to two decimals; a level is the band of the rounded
//     score.
//   - Strengths are the highest scored areas and development areas the
//     lowest, at most Scoring.Highlights of each and at most half of the
//     scored areas each. Ties go to the area with the larger weight, then
//     to the one defined first. A strength scores above the lowest area
//     and a development area below the highest one, so that equal scores
//     name nothing; an area is never both.
package scoring

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
)

// Result is the scores of one response.
type Result struct {
	Areas   []AreaResult `json:"areas"`
	Overall Overall      `json:"overall"`
	// Strengths and Development are area ids, the strongest and the
	// weakest first.
	Strengths   []string `json:"strengths"`
	Development []string `json:"development"`
}

// AreaResult is the score of one area.
type AreaResult struct {
	ID string `json:"id"`
	// Score is the area's score on the questionnaire's range; zero when
	// Enough is false.
	Score float64 `json:"score"`
	// Enough reports whether the area had enough answers for a score.
	Enough bool `json:"enough"`
	// Level is the id of the score's level, or "" without a score.
	Level string `json:"level,omitempty"`
	// Answered counts scored items with a value, NA those answered "not
	// applicable", Items all scored items of the area.
	Answered int `json:"answered"`
	NA       int `json:"na"`
	Items    int `json:"items"`
}

// Ratio is the share of the area's scored items answered with a value.
func (a AreaResult) Ratio() float64 {
	if a.Items == 0 {
		return 0
	}
	return float64(a.Answered) / float64(a.Items)
}

// Overall is the weighted score over the areas that have a score.
type Overall struct {
	Score  float64 `json:"score"`
	Enough bool    `json:"enough"`
	Level  string  `json:"level,omitempty"`
	// Areas is how many areas the score is based on.
	Areas int `json:"areas"`
}

// item is what scoring needs to know of one item or reflection.
type item struct {
	id       string
	area     int // index of the area; -1 for reflections
	kind     assessment.ItemKind
	scale    *assessment.Scale
	na       bool    // offers "not applicable"
	reverse  bool    // reverse-scored
	lo, hi   float64 // the scale's range
	mul, add float64 // score = add + mul*value
}

// Scorer scores answers to one questionnaire. It is safe for concurrent
// use.
type Scorer struct {
	q *assessment.Questionnaire
	// items lists every item and reflection in definition order; known
	// holds their ids.
	items []item
	known map[string]bool
	// scored[i] is the number of scored items of area i; need[i] the
	// answers it needs for a score.
	scored, need []int
}

// New prepares a scorer for a questionnaire that the loader has validated.
func New(q *assessment.Questionnaire) *Scorer {
	s := &Scorer{
		q:      q,
		known:  make(map[string]bool),
		scored: make([]int, len(q.Areas)),
		need:   make([]int, len(q.Areas)),
	}
	for ai := range q.Areas {
		a := &q.Areas[ai]
		s.need[ai] = q.Scoring.MinAnswers
		if a.MinAnswers > 0 {
			s.need[ai] = a.MinAnswers
		}
		for ii := range a.Items {
			it := &a.Items[ii]
			info := item{id: it.ID, area: ai, kind: it.Kind, na: it.NotApplicable, reverse: it.Reverse}
			if sc, ok := q.Scale(it.Scale); ok {
				info.scale = sc
				info.lo, info.hi = sc.Range()
				info.mul = (q.Scoring.Max - q.Scoring.Min) / (info.hi - info.lo)
				info.add = q.Scoring.Min - info.lo*info.mul
			}
			if it.Scored() {
				s.scored[ai]++
			}
			s.items = append(s.items, info)
		}
	}
	for _, r := range q.Reflections {
		s.items = append(s.items, item{id: r.ID, area: -1, kind: assessment.TextItem})
	}
	for _, it := range s.items {
		s.known[it.id] = true
	}
	return s
}

// Questionnaire returns the questionnaire the scorer scores.
func (s *Scorer) Questionnaire() *assessment.Questionnaire { return s.q }

// Score computes the result of a set of answers. Answers that do not fit
// the questionnaire (an unknown id, a value that is not on the item's
// scale, "not applicable" where it is not offered, text for a scored item)
// give an Invalid error naming each of them, and no result.
func (s *Scorer) Score(answers assessment.Answers) (Result, error) {
	q := s.q
	r := Result{Areas: make([]AreaResult, len(q.Areas))}
	sums := make([]float64, len(q.Areas))
	var bad []string
	matched := 0
	for _, it := range s.items {
		ans, ok := answers[it.id]
		if !ok {
			continue
		}
		matched++
		if msg := it.check(ans); msg != "" {
			bad = append(bad, it.id+": "+msg)
			continue
		}
		if it.kind != assessment.LikertItem && it.kind != assessment.LevelItem {
			continue
		}
		a := &r.Areas[it.area]
		if ans.NA {
			a.NA++
			continue
		}
		v := ans.Value
		if it.reverse {
			v = it.lo + it.hi - v
		}
		sums[it.area] += it.add + it.mul*v
		a.Answered++
	}
	if matched < len(answers) {
		for id := range answers {
			if !s.known[id] {
				bad = append(bad, fmt.Sprintf("%s: no such item", id))
			}
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return Result{}, apperr.New(apperr.Invalid, "answers do not fit questionnaire %s: %s", q.ID, strings.Join(bad, "; "))
	}

	var weighted, weights float64
	for i := range r.Areas {
		a := &r.Areas[i]
		a.ID = q.Areas[i].ID
		a.Items = s.scored[i]
		if a.Answered == 0 || a.Answered < s.need[i] {
			continue
		}
		a.Enough = true
		a.Score = round2(sums[i] / float64(a.Answered))
		a.Level = q.Level(a.Score).ID
		weighted += q.Areas[i].Weight * a.Score
		weights += q.Areas[i].Weight
		r.Overall.Areas++
	}
	if r.Overall.Areas > 0 {
		r.Overall.Enough = true
		r.Overall.Score = round2(weighted / weights)
		r.Overall.Level = q.Level(r.Overall.Score).ID
	}
	r.Strengths, r.Development = s.highlights(r.Areas)
	return r, nil
}

// check returns why ans is not a valid answer to the item, or "".
func (it item) check(ans assessment.Answer) string {
	switch {
	case it.kind == assessment.TextItem:
		if ans.NA || ans.Value != 0 {
			return "an open question takes text only"
		}
		if len(ans.Text) > assessment.MaxAnswerText {
			return fmt.Sprintf("text is longer than %d bytes", assessment.MaxAnswerText)
		}
	case ans.Text != "":
		return "this question takes a choice, not text"
	case ans.NA:
		if !it.na {
			return "\"not applicable\" is not offered"
		}
	case math.IsNaN(ans.Value) || !it.scale.HasValue(ans.Value):
		return fmt.Sprintf("%v is not a value of scale %s", ans.Value, it.scale.ID)
	}
	return ""
}

// highlights picks the strengths and development areas (see the package
// documentation for the rules).
func (s *Scorer) highlights(areas []AreaResult) (strengths, development []string) {
	k := 0
	var lo, hi float64
	for _, a := range areas {
		if !a.Enough {
			continue
		}
		if k == 0 {
			lo, hi = a.Score, a.Score
		}
		lo, hi = min(lo, a.Score), max(hi, a.Score)
		k++
	}
	n := min(s.q.Scoring.Highlights, k/2)
	strengths, development = make([]string, 0, n), make([]string, 0, n)
	if n == 0 {
		return strengths, development
	}
	taken := make([]bool, len(areas))
	// pick takes up to n areas, each time the best one left by better; a
	// tie on score goes to the larger weight, then to the area defined
	// first. It stops at the first area that fails ok.
	pick := func(out []string, higher bool, ok func(score float64) bool) []string {
		for len(out) < n {
			best := -1
			for i, a := range areas {
				if !a.Enough || taken[i] {
					continue
				}
				if best < 0 {
					best = i
					continue
				}
				b := areas[best]
				switch {
				case a.Score != b.Score:
					if (a.Score > b.Score) == higher {
						best = i
					}
				case s.q.Areas[i].Weight > s.q.Areas[best].Weight:
					best = i
				}
			}
			if best < 0 || !ok(areas[best].Score) {
				break
			}
			taken[best] = true
			out = append(out, areas[best].ID)
		}
		return out
	}
	strengths = pick(strengths, true, func(x float64) bool { return x > lo })
	development = pick(development, false, func(x float64) bool { return x < hi })
	return strengths, development
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
