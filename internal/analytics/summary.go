package analytics

import (
	"fmt"
	"math/bits"
	"slices"

	"vertaa/internal/apperr"
	"vertaa/internal/scoring"
)

// Summarize computes what HR may see of a round under an anonymity
// threshold. It is pure: the same input gives the same summary.
//
// Who counts where:
//   - A respondent is one person: respondents are counted by UserID, and
//     when a user appears twice the later entry of in.Respondents is used.
//   - Org: Invited counts the distinct users of in.Invited, Started the
//     distinct users of in.Started and of the respondents (submitting
//     implies starting), Submitted the distinct respondents.
//   - A respondent belongs to a group when the group's ID is among the
//     respondent's TeamIDs (the team recorded with the response) or the
//     respondent is among the group's Invited members. The same rule
//     decides a group's Submitted and its cells, so a group's cells never
//     hold more people than its Submitted. Groups may overlap.
//   - A group's Invited counts its distinct invited members; Started
//     counts the users among them who started or submitted, and the
//     group's respondents. A response that names the group but whose
//     author is not among its invited members therefore counts in Started
//     and Submitted, which may then exceed Invited.
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
//
// A threshold below MinThreshold is refused with an apperr.Invalid error.
// Results that do not have the questionnaire's areas, a respondent
// without a UserID and a group without an ID or with the ID of another
// are refused as internal errors: they are bugs upstream.
func Summarize(in RoundInput, threshold int) (Summary, error) {
	if threshold < MinThreshold {
		return Summary{}, apperr.New(apperr.Invalid, "the anonymity threshold %d is below the minimum of %d", threshold, MinThreshold)
	}
	q := in.Questionnaire
	if q == nil {
		return Summary{}, fmt.Errorf("analytics: no questionnaire")
	}
	resp, err := distinctRespondents(in.Respondents, len(q.Areas), func(i int) string { return q.Areas[i].ID })
	if err != nil {
		return Summary{}, err
	}
	groupIDs := make(map[string]bool, len(in.Groups))
	for i, g := range in.Groups {
		if g.ID == "" {
			return Summary{}, fmt.Errorf("analytics: group %d has no id", i)
		}
		if groupIDs[g.ID] {
			return Summary{}, fmt.Errorf("analytics: two groups have the id %q", g.ID)
		}
		groupIDs[g.ID] = true
	}

	n := len(resp)
	ncol := len(q.Areas) + 1 // the areas, then overall

	// Participation.
	respondentIDs := make(map[string]int, n)
	for i, r := range resp {
		respondentIDs[r.UserID] = i
	}
	started := set(in.Started)
	for id := range respondentIDs {
		started[id] = true
	}
	s := Summary{
		Threshold: threshold,
		Org: Row{
			Invited:   len(set(in.Invited)),
			Started:   len(started),
			Submitted: n,
		},
		Teams: make([]Row, len(in.Groups)),
	}

	// Group membership of respondents.
	members := make([]bitset, len(in.Groups))
	for gi, g := range in.Groups {
		m := newBitset(n)
		invited := set(g.Invited)
		for id := range invited {
			if i, ok := respondentIDs[id]; ok {
				m.set(i)
			}
		}
		for i, r := range resp {
			if slices.Contains(r.TeamIDs, g.ID) {
				m.set(i)
			}
		}
		groupStarted := 0
		for id := range started {
			if invited[id] {
				groupStarted++
			} else if i, ok := respondentIDs[id]; ok && m.has(i) {
				groupStarted++
			}
		}
		members[gi] = m
		s.Teams[gi] = Row{
			ID: g.ID, Name: g.Name,
			Invited: len(invited), Started: groupStarted, Submitted: m.count(),
			Areas: make([]Cell, len(q.Areas)),
		}
	}
	s.Org.Areas = make([]Cell, len(q.Areas))

	// Cells and suppression, column by column.
	s.Distribution = make([][]int, len(q.Areas))
	values := make([]float64, 0, n)
	groupSets := make([]bitset, len(in.Groups))
	groupCells := make([]*Cell, len(in.Groups))
	for c := range ncol {
		score := func(r *Respondent) (float64, bool) {
			if c < len(q.Areas) {
				return r.Result.Areas[c].Score, r.Result.Areas[c].Enough
			}
			return r.Result.Overall.Score, r.Result.Overall.Enough
		}
		cellOf := func(row *Row) *Cell {
			if c < len(q.Areas) {
				return &row.Areas[c]
			}
			return &row.Overall
		}
		enough := newBitset(n)
		values = values[:0]
		for i := range resp {
			if v, ok := score(&resp[i]); ok {
				enough.set(i)
				values = append(values, v)
			}
		}
		org := cellOf(&s.Org)
		*org = cell(values)
		var dist []int
		if org.N >= threshold {
			dist = scoring.Distribution(q, values)
		}
		if c < len(q.Areas) {
			s.Distribution[c] = dist
		} else {
			s.OverallDistribution = dist
		}
		for gi := range in.Groups {
			rs := members[gi].and(enough)
			values = values[:0]
			for i := range resp {
				if rs.has(i) {
					v, _ := score(&resp[i])
					values = append(values, v)
				}
			}
			groupSets[gi] = rs
			groupCells[gi] = cellOf(&s.Teams[gi])
			*groupCells[gi] = cell(values)
		}
		suppress(org, enough, groupCells, groupSets, threshold)
	}
	return s, nil
}

// cell summarises values, hiding the figures of fewer than the threshold
// later (suppress does); here only N == 0 is marked.
func cell(values []float64) Cell {
	st := scoring.Summarize(values)
	c := Cell{N: st.N, Mean: st.Mean, SD: st.SD}
	if c.N == 0 {
		c.Hidden = TooFew
	}
	return c
}

// suppress applies the threshold and complementary suppression to one
// column: the organisation's cell over the respondents in total, and the
// group cells over theirs.
func suppress(org *Cell, total bitset, groups []*Cell, sets []bitset, threshold int) {
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
		residual := total.clone()
		for i, g := range groups {
			if g.Hidden == Shown {
				residual.andNot(sets[i])
			}
		}
		if r := residual.count(); r > 0 && r < threshold { // rule b
			hide(groups[smallest], Complementary)
			continue
		}
		if y := nestedDifference(total, groups, sets, threshold); y >= 0 { // rule c
			hide(groups[y], Complementary)
			continue
		}
		return
	}
}

// nestedDifference returns the index of a visible group cell whose
// respondents are all among those of the organisation or of another
// visible group cell, with a difference of 1 to threshold-1 people; -1
// when there is none. Of several, the one with the smallest N is
// returned (the earlier on a tie).
func nestedDifference(total bitset, groups []*Cell, sets []bitset, threshold int) int {
	found := -1
	for y, gy := range groups {
		if gy.Hidden != Shown || (found >= 0 && gy.N >= groups[found].N) {
			continue
		}
		if d := total.count() - gy.N; d > 0 && d < threshold {
			found = y
			continue
		}
		for x, gx := range groups {
			if x == y || gx.Hidden != Shown {
				continue
			}
			if d := gx.N - gy.N; d > 0 && d < threshold && sets[y].subsetOf(sets[x]) {
				found = y
				break
			}
		}
	}
	return found
}

// distinctRespondents returns one respondent per UserID, the later entry
// winning, in the order of first appearance, after checking that every
// result has the questionnaire's areas.
func distinctRespondents(in []Respondent, areas int, areaID func(int) string) ([]Respondent, error) {
	out := make([]Respondent, 0, len(in))
	at := make(map[string]int, len(in))
	for i, r := range in {
		if r.UserID == "" {
			return nil, fmt.Errorf("analytics: respondent %d has no user id", i)
		}
		if len(r.Result.Areas) != areas {
			return nil, fmt.Errorf("analytics: the result of respondent %d has %d areas, the questionnaire %d", i, len(r.Result.Areas), areas)
		}
		for a := range areas {
			if r.Result.Areas[a].ID != areaID(a) {
				return nil, fmt.Errorf("analytics: area %d of respondent %d's result is %q, the questionnaire's %q", a, i, r.Result.Areas[a].ID, areaID(a))
			}
		}
		if j, ok := at[r.UserID]; ok {
			out[j] = r
			continue
		}
		at[r.UserID] = len(out)
		out = append(out, r)
	}
	return out, nil
}

// set returns the distinct non-empty ids.
func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" {
			m[id] = true
		}
	}
	return m
}

// bitset is a set of respondent indexes.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) clone() bitset  { return slices.Clone(b) }
func (b bitset) andNot(o bitset) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bitset) and(o bitset) bitset {
	out := make(bitset, len(b))
	for i := range b {
		out[i] = b[i] & o[i]
	}
	return out
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// subsetOf reports whether every member of b is in o.
func (b bitset) subsetOf(o bitset) bool {
	for i := range b {
		if b[i]&^o[i] != 0 {
			return false
		}
	}
	return true
}
