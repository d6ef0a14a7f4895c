package analytics

import (
	"fmt"
	"slices"

	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
)

// figures fills in the cells of the organisation and of s.Teams (whose IDs
// name the groups) and the distributions from agg, and applies the
// threshold and complementary suppression column by column.
//
// Cells: a column is one area of the questionnaire or the overall score.
// A cell's N counts the respondents of its row with enough answers for a
// score in that column; Mean and SD (sample SD) are of those scores.
//
// Suppression, column by column (areas and overall alike); a hidden
// cell's Mean and SD are zero, its N is kept (a count of people, which
// says nothing of their answers):
//  1. A cell with N below the threshold is hidden as TooFew; so is a cell
//     with N == 0, which has nothing to show.
//  2. When the organisation's cell is hidden, every group cell of the
//     column is hidden (as TooFew: no group has more respondents than the
//     organisation).
//  3. Otherwise the organisation's cell is a total, and visible group
//     cells are hidden as Complementary, always the one with the smallest
//     N first (the earlier group on a tie), one at a time, while any of
//     these holds and some group cell is still visible:
//     a. exactly one group cell holding respondents (N > 0) is hidden:
//     subtracting the visible cells from the total would approach it.
//     This applies whether or not some respondents belong to no group
//     and whether or not groups overlap, although either makes the
//     subtraction inexact: the rule is applied regardless.
//     b. the residual, the respondents of the column in no visible group
//     cell (the members of hidden cells and the respondents in no
//     group), is not empty but smaller than the threshold: the total
//     minus the visible cells would describe fewer people than the
//     threshold.
//     c. a visible group cell's respondents are all among those of
//     another visible cell (the organisation's included) and the
//     difference is not empty but smaller than the threshold: the one
//     minus the other would describe that difference. The contained
//     (smaller) cell is hidden.
//
// Distribution: per column, the organisation's respondents with a score
// are counted per level (each person once); the counts are shown exactly
// when the organisation's cell is shown, and are nil otherwise. They are
// never given per group.
//
// Participation counts are not suppressed: they count people asked and
// people who answered, never anything of their answers.
func (s *Summary) figures(q *assessment.Questionnaire, agg *Aggregate, threshold int) {
	ncol := len(q.Areas) + 1 // the areas, then overall
	s.Org.Areas = make([]Cell, len(q.Areas))
	for gi := range s.Teams {
		s.Teams[gi].Areas = make([]Cell, len(q.Areas))
	}
	s.Distribution = make([][]int, len(q.Areas))
	// in[b][g]: the respondents of bucket b are members of group g.
	in := make([][]bool, len(agg.Buckets))
	for b, bk := range agg.Buckets {
		in[b] = make([]bool, len(s.Teams))
		for gi, row := range s.Teams {
			_, in[b][gi] = slices.BinarySearch(bk.Teams, row.ID)
		}
	}
	cellOf := func(row *Row, c int) *Cell {
		if c < len(q.Areas) {
			return &row.Areas[c]
		}
		return &row.Overall
	}
	col := column{in: in, n: make([]int, len(agg.Buckets))}
	groups := make([]*Cell, len(s.Teams))
	for c := range ncol {
		org := Stat{Levels: make([]int, len(q.Levels))}
		for b, bk := range agg.Buckets {
			org.merge(bk.Cols[c])
			col.n[b] = bk.Cols[c].N
		}
		*cellOf(&s.Org, c) = cell(org)
		var dist []int
		if org.N >= threshold {
			dist = org.Levels
		}
		if c < len(q.Areas) {
			s.Distribution[c] = dist
		} else {
			s.OverallDistribution = dist
		}
		for gi := range s.Teams {
			st := Stat{Levels: make([]int, len(q.Levels))}
			for b, bk := range agg.Buckets {
				if in[b][gi] {
					st.merge(bk.Cols[c])
				}
			}
			groups[gi] = cellOf(&s.Teams[gi], c)
			*groups[gi] = cell(st)
		}
		col.suppress(cellOf(&s.Org, c), groups, threshold)
	}
}

// cell shows a Stat; suppress hides it later if it must. Only a cell of
// no one is marked here.
func cell(st Stat) Cell {
	c := Cell{N: st.N, Mean: st.Mean, SD: st.SD()}
	if c.N == 0 {
		c.Hidden = TooFew
	}
	return c
}

// column is what suppression knows of one column: how many respondents
// of each bucket have a score in it, and which groups each bucket's
// respondents belong to.
type column struct {
	n  []int    // per bucket
	in [][]bool // per bucket, per group
}

// suppress applies the threshold and complementary suppression to one
// column: the organisation's cell, a total, and the group cells.
func (col column) suppress(org *Cell, groups []*Cell, threshold int) {
	hide := func(c *Cell, why Why) {
		c.Hidden, c.Mean, c.SD = why, 0, 0
	}
	if org.N < threshold {
		hide(org, TooFew)
		for _, g := range groups {
			hide(g, TooFew)
		}
		return
	}
	for _, g := range groups {
		if g.N < threshold {
			hide(g, TooFew)
		}
	}
	for {
		smallest := -1
		hiddenWithPeople := 0
		for i, g := range groups {
			switch {
			case g.Hidden == Shown:
				if smallest < 0 || g.N < groups[smallest].N {
					smallest = i
				}
			case g.N > 0:
				hiddenWithPeople++
			}
		}
		if smallest < 0 {
			return // no visible group cell is left
		}
		if hiddenWithPeople == 1 { // rule a
			hide(groups[smallest], Complementary)
			continue
		}
		if r := col.residual(groups); r > 0 && r < threshold { // rule b
			hide(groups[smallest], Complementary)
			continue
		}
		if y := col.nestedDifference(org, groups, threshold); y >= 0 { // rule c
			hide(groups[y], Complementary)
			continue
		}
		return
	}
}

// residual counts the respondents of the column in no visible group cell.
func (col column) residual(groups []*Cell) int {
	r := 0
	for b, n := range col.n {
		if !col.inVisible(b, groups) {
			r += n
		}
	}
	return r
}

// inVisible reports whether bucket b's respondents are in a visible group.
func (col column) inVisible(b int, groups []*Cell) bool {
	for gi, g := range groups {
		if g.Hidden == Shown && col.in[b][gi] {
			return true
		}
	}
	return false
}

// subset reports whether group y's respondents in the column are all
// among group x's.
func (col column) subset(y, x int) bool {
	for b, n := range col.n {
		if n > 0 && col.in[b][y] && !col.in[b][x] {
			return false
		}
	}
	return true
}

// nestedDifference returns the index of a visible group cell whose
// respondents are all among those of the organisation or of another
// visible group cell, with a difference of 1 to threshold-1 people; -1
// when there is none. Of several, the one with the smallest N is
// returned (the earlier on a tie).
func (col column) nestedDifference(org *Cell, groups []*Cell, threshold int) int {
	found := -1
	for y, gy := range groups {
		if gy.Hidden != Shown || (found >= 0 && gy.N >= groups[found].N) {
			continue
		}
		if d := org.N - gy.N; d > 0 && d < threshold {
			found = y
			continue
		}
		for x, gx := range groups {
			if x == y || gx.Hidden != Shown {
				continue
			}
			if d := gx.N - gy.N; d > 0 && d < threshold && col.subset(y, x) {
				found = y
				break
			}
		}
	}
	return found
}

// AggregateInput is a round summarised ahead of time: who was asked, who
// started without submitting yet, and the aggregate of the responses.
// Its lists of users hold each user once.
type AggregateInput struct {
	Questionnaire *assessment.Questionnaire
	Groups        []Group
	Invited       []string
	// Started are the users with a draft they have not submitted.
	Started   []string
	Aggregate *Aggregate
}

// SummarizeAggregate computes what HR may see of a round, from an
// aggregate of its responses (a round's rollup), under an anonymity
// threshold: the cells and suppression are figures'. It is pure: the same
// input gives the same summary. An aggregate knows
// respondents only by the teams they answered as members of, so a
// respondent belongs to a group when they answered as its member; a
// group's Started adds its invited members with an unsubmitted draft to
// its respondents.
func SummarizeAggregate(in AggregateInput, threshold int) (Summary, error) {
	if threshold < MinThreshold {
		return Summary{}, apperr.New(apperr.Invalid, "the anonymity threshold %d is below the minimum of %d", threshold, MinThreshold)
	}
	q := in.Questionnaire
	if q == nil {
		return Summary{}, fmt.Errorf("analytics: no questionnaire")
	}
	for _, b := range in.Aggregate.Buckets {
		if len(b.Cols) != len(q.Areas)+1 {
			return Summary{}, fmt.Errorf("analytics: the aggregate has %d columns, the questionnaire %d areas", len(b.Cols), len(q.Areas))
		}
	}
	ids := map[string]bool{}
	for i, g := range in.Groups {
		if g.ID == "" || ids[g.ID] {
			return Summary{}, fmt.Errorf("analytics: group %d has no id or the id of another", i)
		}
		ids[g.ID] = true
	}
	s := Summary{Threshold: threshold, Teams: make([]Row, len(in.Groups))}
	submitted := in.Aggregate.Respondents()
	s.Org = Row{Invited: len(in.Invited), Started: len(in.Started) + submitted, Submitted: submitted}
	for gi, g := range in.Groups {
		row := Row{ID: g.ID, Name: g.Name, Invited: len(g.Invited)}
		for _, b := range in.Aggregate.Buckets {
			if _, ok := slices.BinarySearch(b.Teams, g.ID); ok {
				row.Submitted += b.Respondents
			}
		}
		row.Started = row.Submitted
		for _, id := range in.Started {
			if slices.Contains(g.Invited, id) {
				row.Started++
			}
		}
		s.Teams[gi] = row
	}
	s.figures(q, in.Aggregate, threshold)
	return s, nil
}

// HideOpen hides every figure of a summary of a round that is still open
// (see Open). Participation, which counts people and not answers, stays.
func (s *Summary) HideOpen() {
	hide := func(r *Row) {
		for i := range r.Areas {
			r.Areas[i] = Cell{N: r.Areas[i].N, Hidden: Open}
		}
		r.Overall = Cell{N: r.Overall.N, Hidden: Open}
	}
	hide(&s.Org)
	for i := range s.Teams {
		hide(&s.Teams[i])
	}
	for i := range s.Distribution {
		s.Distribution[i] = nil
	}
	s.OverallDistribution = nil
}
