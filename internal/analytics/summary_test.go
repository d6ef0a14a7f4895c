package analytics

import (
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"vertaa/assessments"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// questionnaire loads one of the questionnaires shipped in assessments/.
func questionnaire(t testing.TB, file string) *assessment.Questionnaire {
	t.Helper()
	data, err := fs.ReadFile(assessments.FS, file)
	if err != nil {
		t.Fatal(err)
	}
	q, err := assessment.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// none stands for a score that is missing: not enough answers.
var none = math.NaN()

// result builds by hand the result of one response to q: the overall
// score and one score per area in the questionnaire's order; none for an
// area (or overall) without enough answers.
func result(q *assessment.Questionnaire, overall float64, areas ...float64) scoring.Result {
	if len(areas) != len(q.Areas) {
		panic(fmt.Sprintf("result: %d scores for %d areas", len(areas), len(q.Areas)))
	}
	r := scoring.Result{Areas: make([]scoring.AreaResult, len(q.Areas))}
	for i, s := range areas {
		r.Areas[i].ID = q.Areas[i].ID
		if !math.IsNaN(s) {
			r.Areas[i].Score, r.Areas[i].Enough, r.Areas[i].Level = s, true, q.Level(s).ID
			r.Overall.Areas++
		}
	}
	if !math.IsNaN(overall) {
		r.Overall.Score, r.Overall.Enough, r.Overall.Level = overall, true, q.Level(overall).ID
	}
	return r
}

// col returns a row's cell of column c: an area, or overall for c ==
// len(row.Areas).
func col(row Row, c int) Cell {
	if c < len(row.Areas) {
		return row.Areas[c]
	}
	return row.Overall
}

// scoreOf returns a result's score in column c, and whether it has one.
func scoreOf(r scoring.Result, c int) (float64, bool) {
	if c < len(r.Areas) {
		return r.Areas[c].Score, r.Areas[c].Enough
	}
	return r.Overall.Score, r.Overall.Enough
}

// dist returns the distribution of column c.
func dist(s Summary, c int) []int {
	if c < len(s.Distribution) {
		return s.Distribution[c]
	}
	return s.OverallDistribution
}

// checkCell compares a cell with the expected one, the figures to 1e-9.
func checkCell(t *testing.T, what string, got, want Cell) {
	t.Helper()
	if got.N != want.N || got.Hidden != want.Hidden ||
		math.Abs(got.Mean-want.Mean) > 1e-9 || math.Abs(got.SD-want.SD) > 1e-9 {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

// summarize calls Summarize and fails the test on an error.
func summarize(t *testing.T, in RoundInput, threshold int) Summary {
	t.Helper()
	s, err := Summarize(in, threshold)
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	return s
}

// users returns prefix1 … prefixN.
func users(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

// TestSummarizeThreeTeams checks a round worked out by hand: teams of 6, 5
// and 2 respondents under the threshold 3.
func TestSummarizeThreeTeams(t *testing.T) {
	q := questionnaire(t, "tiimityo.yaml") // 3 areas, levels 1-2.5-3.5-4.25-5
	// Area 0 and overall take each person's own score, area 1 one score
	// per team, area 2 the score 3 for everyone.
	//   team a: 1 2 3 4 5 3   area 1: 2
	//   team b: 3 4 4 4 4     area 1: 3
	//   team c: 1 1           area 1: 5
	own := map[string]float64{
		"a1": 1, "a2": 2, "a3": 3, "a4": 4, "a5": 5, "a6": 3,
		"b1": 3, "b2": 4, "b3": 4, "b4": 4, "b5": 4,
		"c1": 1, "c2": 1,
	}
	teamScore := map[byte]float64{'a': 2, 'b': 3, 'c': 5}
	respondent := func(id string, teams ...string) Respondent {
		x := own[id]
		return Respondent{UserID: id, TeamIDs: teams, Result: result(q, x, x, teamScore[id[0]], 3)}
	}
	in := RoundInput{
		Questionnaire: q,
		Groups: []Group{
			{ID: "a", Name: "Team A", Invited: users("a", 8)}, // a7 started, a8 did not
			{ID: "b", Name: "Team B", Invited: users("b", 4)}, // b5 joined later
			{ID: "c", Name: "Team C", Invited: []string{"c1", "c2", "c2"}},
		},
		Invited: append(append(users("a", 8), users("b", 5)...), "c1", "c2", "a1", "b2", ""),
		Started: []string{"a1", "a2", "a7", "c1", "a1"}, // the other respondents only submitted
		Respondents: []Respondent{
			// An earlier response of a3, in team c and with other
			// scores: the later one replaces it.
			{UserID: "a3", TeamIDs: []string{"c"}, Result: result(q, 5, 5, 5, 5)},
			respondent("a1", "a"), respondent("a2", "a"), respondent("a4", "a"),
			respondent("a5", "a"), respondent("a6", "a"),
			respondent("b1", "b"), respondent("b2", "b"), respondent("b3", "b"),
			respondent("b4", "b"), respondent("b5", "b"),
			// Team c's members are found through the group's Invited.
			respondent("c1"), respondent("c2"),
			respondent("a3", "a"),
		},
	}
	s := summarize(t, in, 3)

	if s.Threshold != 3 {
		t.Errorf("Threshold = %d, want 3", s.Threshold)
	}
	// Participation. Org: invited a1-a8, b1-b5, c1, c2 = 15; started the
	// 13 respondents and a7 = 14.
	type counts struct{ invited, started, submitted int }
	rows := append([]Row{s.Org}, s.Teams...)
	for i, want := range []counts{
		{15, 14, 13},
		{8, 7, 6}, // a1-a6 answered, a7 started
		{4, 5, 5}, // b5 is not invited but names the team
		{2, 2, 2},
	} {
		r := rows[i]
		if got := (counts{r.Invited, r.Started, r.Submitted}); got != want {
			t.Errorf("row %d (%q) participation = %+v, want %+v", i, r.ID, got, want)
		}
	}
	if len(s.Teams) != 3 || s.Teams[0].ID != "a" || s.Teams[1].Name != "Team B" || s.Teams[2].ID != "c" {
		t.Fatalf("teams = %+v, want a, b, c in the input's order", s.Teams)
	}

	// Area 0 (and overall, the same scores):
	//   org: n 13, sum 18+19+2 = 39, mean 3; sum of squares
	//        64+73+2 = 139, minus 13*3² leaves 22, SD = sqrt(22/12).
	//   a:   n 6, mean 3, squared deviations 4+1+0+1+4+0 = 10,
	//        SD = sqrt(10/5).
	//   b:   n 5, hidden as complementary (rule a: c alone is hidden).
	//   c:   n 2 < 3, too few.
	// Area 1:
	//   org: n 13, sum 12+15+10 = 37; sum of squares 24+45+50 = 119,
	//        minus 37²/13 leaves 178/13, SD = sqrt(178/13/12).
	//   a:   mean 2, SD 0.
	// Area 2: everyone 3.
	wantOrg := []Cell{
		{N: 13, Mean: 3, SD: math.Sqrt(22.0 / 12)},
		{N: 13, Mean: 37.0 / 13, SD: math.Sqrt(178.0 / 13 / 12)},
		{N: 13, Mean: 3},
		{N: 13, Mean: 3, SD: math.Sqrt(22.0 / 12)},
	}
	wantA := []Cell{
		{N: 6, Mean: 3, SD: math.Sqrt(2)},
		{N: 6, Mean: 2},
		{N: 6, Mean: 3},
		{N: 6, Mean: 3, SD: math.Sqrt(2)},
	}
	wantDist := [][]int{
		{4, 3, 5, 1}, // 1 2 1 1 | 3 3 3 | 4 4 4 4 4 | 5
		{6, 5, 0, 2},
		{0, 13, 0, 0},
		{4, 3, 5, 1},
	}
	for c := range len(q.Areas) + 1 {
		what := func(row string) string { return fmt.Sprintf("column %d, %s", c, row) }
		checkCell(t, what("org"), col(s.Org, c), wantOrg[c])
		checkCell(t, what("team a"), col(s.Teams[0], c), wantA[c])
		checkCell(t, what("team b"), col(s.Teams[1], c), Cell{N: 5, Hidden: Complementary})
		checkCell(t, what("team c"), col(s.Teams[2], c), Cell{N: 2, Hidden: TooFew})
		if got := dist(s, c); !slices.Equal(got, wantDist[c]) {
			t.Errorf("%s: distribution = %v, want %v", what("org"), got, wantDist[c])
		}
	}
}

// TestSummarizeOrgHidden checks that an organisation cell below the
// threshold hides its whole column and its distribution, and that a shown
// column's distribution covers its respondents.
func TestSummarizeOrgHidden(t *testing.T) {
	q := questionnaire(t, "tiimityo.yaml")
	// Teams x and y of 4 each, threshold 4. Area 0: everyone has a score.
	// Area 1: x1, x2 and y1 only (3 < 4). Area 2: x1-x4 only (exactly 4).
	scores := map[string][3]float64{
		"x1": {1, 2, 3}, "x2": {2, 3, 4}, "x3": {3, none, 5}, "x4": {4, none, 1},
		"y1": {5, 4, none}, "y2": {4.5, none, none}, "y3": {2.5, none, none}, "y4": {3.5, none, none},
	}
	var in RoundInput
	in.Questionnaire = q
	in.Groups = []Group{{ID: "x", Invited: users("x", 4)}, {ID: "y", Invited: users("y", 4)}}
	for _, id := range append(users("x", 4), users("y", 4)...) {
		sc := scores[id]
		in.Respondents = append(in.Respondents, Respondent{UserID: id, Result: result(q, sc[0], sc[0], sc[1], sc[2])})
	}
	s := summarize(t, in, 4)

	tests := []struct {
		name          string
		col           int
		org, x, y     Cell
		distributionN int // -1: no distribution
	}{
		{"all answered", 0, Cell{N: 8}, Cell{N: 4}, Cell{N: 4}, 8},
		{"org too few", 1, Cell{N: 3, Hidden: TooFew}, Cell{N: 2, Hidden: TooFew}, Cell{N: 1, Hidden: TooFew}, -1},
		{"org at threshold", 2, Cell{N: 4}, Cell{N: 4}, Cell{N: 0, Hidden: TooFew}, 4},
		{"overall", 3, Cell{N: 8}, Cell{N: 4}, Cell{N: 4}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cell := range []struct {
				what      string
				got, want Cell
			}{{"org", col(s.Org, tt.col), tt.org}, {"x", col(s.Teams[0], tt.col), tt.x}, {"y", col(s.Teams[1], tt.col), tt.y}} {
				if cell.got.N != cell.want.N || cell.got.Hidden != cell.want.Hidden {
					t.Errorf("%s = %+v, want N %d hidden %q", cell.what, cell.got, cell.want.N, cell.want.Hidden)
				}
				if cell.got.Hidden != Shown && (cell.got.Mean != 0 || cell.got.SD != 0) {
					t.Errorf("%s is hidden but has figures: %+v", cell.what, cell.got)
				}
			}
			d := dist(s, tt.col)
			if tt.distributionN < 0 {
				if d != nil {
					t.Errorf("distribution = %v, want nil", d)
				}
				return
			}
			var values []float64
			for _, r := range in.Respondents {
				if v, ok := scoreOf(r.Result, tt.col); ok {
					values = append(values, v)
				}
			}
			sum := 0
			for _, k := range d {
				sum += k
			}
			if sum != tt.distributionN || !slices.Equal(d, scoring.Distribution(q, values)) {
				t.Errorf("distribution = %v (sum %d), want %v (sum %d)", d, sum, scoring.Distribution(q, values), tt.distributionN)
			}
		})
	}
	// Area 2: x holds everyone with a score (3 4 5 1), so its figures are
	// the org's: mean 13/4.
	if x, org := s.Teams[0].Areas[2], s.Org.Areas[2]; x.Mean != org.Mean || x.SD != org.SD || org.Mean != 3.25 {
		t.Errorf("area 2: x = %+v, org = %+v, want both with mean 3.25", x, org)
	}
}

// TestSummarizeNotEnough checks that respondents without a score in a
// column do not count in it, even with a stray score in their result.
func TestSummarizeNotEnough(t *testing.T) {
	q := questionnaire(t, "tiimityo.yaml")
	in := RoundInput{Questionnaire: q, Groups: []Group{{ID: "t"}, {ID: "u"}}}
	// Team t: area 1 4 4 2 2 and two without; t1 has no overall score.
	// Team u: six times 5 everywhere.
	tArea1 := []float64{4, 4, 2, 2, none, none}
	for i, id := range users("t", 6) {
		overall := 3.0
		if i == 0 {
			overall = none
		}
		r := result(q, overall, 3, tArea1[i], 3)
		if math.IsNaN(tArea1[i]) {
			r.Areas[1].Score = 1 // must be ignored: Enough is false
		}
		if i == 0 {
			r.Overall.Score = 1
		}
		in.Respondents = append(in.Respondents, Respondent{UserID: id, TeamIDs: []string{"t"}, Result: r})
	}
	for _, id := range users("u", 6) {
		in.Respondents = append(in.Respondents, Respondent{UserID: id, TeamIDs: []string{"u"}, Result: result(q, 5, 5, 5, 5)})
	}
	s := summarize(t, in, 3)

	// Area 1: t n 4, mean 3, squared deviations 1+1+1+1, SD sqrt(4/3);
	// org n 10, mean (12+30)/10.
	checkCell(t, "area 1, t", s.Teams[0].Areas[1], Cell{N: 4, Mean: 3, SD: math.Sqrt(4.0 / 3)})
	checkCell(t, "area 1, u", s.Teams[1].Areas[1], Cell{N: 6, Mean: 5})
	// Org: squares 16+16+4+4+6*25 = 190, minus 10*4.2² = 176.4 leaves 13.6.
	checkCell(t, "area 1, org", s.Org.Areas[1], Cell{N: 10, Mean: 4.2, SD: math.Sqrt(13.6 / 9)})
	checkCell(t, "overall, t", s.Teams[0].Overall, Cell{N: 5, Mean: 3})
	checkCell(t, "overall, org", s.Org.Overall, Cell{N: 11, Mean: (15.0 + 30) / 11, SD: s.Org.Overall.SD})
	// Levels from 1, 2.5, 3.5 and 4.25: 2 2 | - | 4 4 | 5 5 5 5 5 5.
	if got := s.Distribution[1]; !slices.Equal(got, []int{2, 0, 2, 6}) {
		t.Errorf("area 1 distribution = %v, want [2 0 2 6]", got)
	}
	if s.Teams[0].Submitted != 6 || s.Org.Submitted != 12 {
		t.Errorf("submitted: t %d, org %d; want 6 and 12 (a missing score does not undo a submission)", s.Teams[0].Submitted, s.Org.Submitted)
	}
}

// team returns a group whose invited members are users prefix1 … prefixN.
func team(id string, n int) Group { return Group{ID: id, Invited: users(id, n)} }

// roundOf builds a round in which everyone of the groups, and the extra
// users in no group, answered with the score 3 everywhere.
func roundOf(t *testing.T, groups []Group, extra ...string) RoundInput {
	t.Helper()
	q := questionnaire(t, "tiimityo.yaml")
	in := RoundInput{Questionnaire: q, Groups: groups}
	var everyone []string
	for _, g := range groups {
		everyone = append(everyone, g.Invited...)
	}
	seen := map[string]bool{}
	for _, id := range append(everyone, extra...) {
		if !seen[id] {
			seen[id] = true
			in.Respondents = append(in.Respondents, Respondent{UserID: id, Result: result(q, 3, 3, 3, 3)})
		}
	}
	return in
}

// TestSummarizeComplementary checks the complementary suppression rules on
// rounds where every respondent has a score everywhere, so that every
// column is hidden alike. want gives each group's Hidden, in order.
func TestSummarizeComplementary(t *testing.T) {
	nested := func(parent, child int) []Group {
		p := team("p", parent)
		return []Group{team("t", 2), team("s", 2), p, {ID: "c", Invited: p.Invited[:child]}, team("q", 7)}
	}
	tests := []struct {
		name   string
		groups []Group
		extra  []string // respondents in no group
		want   []Why
	}{
		{
			name:   "nothing to hide",
			groups: []Group{team("a", 5), team("b", 6), team("c", 7)},
			want:   []Why{Shown, Shown, Shown},
		},
		{
			// c alone is hidden: b, the smallest visible, goes too.
			name:   "rule a",
			groups: []Group{team("a", 6), team("b", 5), team("c", 2)},
			want:   []Why{Shown, Complementary, TooFew},
		},
		{
			name:   "rule a, tie to the earlier group",
			groups: []Group{team("a", 5), team("b", 5), team("c", 2)},
			want:   []Why{Complementary, Shown, TooFew},
		},
		{
			// A lone empty group hides nobody: rule a counts only
			// hidden cells that hold respondents.
			name:   "rule a, empty group",
			groups: []Group{team("a", 5), team("b", 6), {ID: "e"}},
			want:   []Why{Shown, Shown, TooFew},
		},
		{
			// Two hidden groups of 1 leave a residual of 2 < 3: the
			// smallest visible group (b) is hidden, and then the
			// residual is 1+1+5.
			name:   "rule b, small hidden groups",
			groups: []Group{team("t", 1), team("s", 1), team("b", 5), team("c", 6)},
			want:   []Why{TooFew, TooFew, Complementary, Shown},
		},
		{
			name:   "rule b, residual at the threshold",
			groups: []Group{team("t", 1), team("s", 2), team("b", 5), team("c", 6)},
			want:   []Why{TooFew, TooFew, Shown, Shown},
		},
		{
			// Two people in no group: a (the smallest) is hidden by rule
			// b, then b by rule a; the residual is then 2+5+6.
			name:   "rule b, people in no group",
			groups: []Group{team("a", 5), team("b", 6), team("c", 7)},
			extra:  []string{"z1", "z2"},
			want:   []Why{Complementary, Complementary, Shown},
		},
		{
			name:   "rule b, enough people in no group",
			groups: []Group{team("a", 5), team("b", 6), team("c", 7)},
			extra:  []string{"z1", "z2", "z3"},
			want:   []Why{Shown, Shown, Shown},
		},
		{
			// c (6) lies within p (8): p minus c would describe 2 people.
			// t and s are hidden (2 people each), so rules a and b hold
			// no longer.
			name:   "rule c, nested groups",
			groups: nested(8, 6),
			want:   []Why{TooFew, TooFew, Shown, Complementary, Shown},
		},
		{
			name:   "rule c, difference at the threshold",
			groups: nested(9, 6),
			want:   []Why{TooFew, TooFew, Shown, Shown, Shown},
		},
		{
			// c has 5 of p's 8 and one outsider: not contained.
			name: "rule c, overlap without containment",
			groups: []Group{team("t", 2), team("s", 2), team("p", 8),
				{ID: "c", Invited: append(users("p", 5), "q1")}, team("q", 7)},
			want: []Why{TooFew, TooFew, Shown, Shown, Shown},
		},
		{
			// a covers all but 2 of the organisation: org minus a would
			// describe them. a goes by rule c, then b by rule a.
			name:   "rule c, against the organisation",
			groups: []Group{{ID: "a", Invited: users("u", 10)}, {ID: "b", Invited: users("u", 12)[2:]}},
			want:   []Why{Complementary, Complementary},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := roundOf(t, tt.groups, tt.extra...)
			s := summarize(t, in, 3)
			if col(s.Org, 0).Hidden != Shown {
				t.Fatalf("org cell hidden: %+v", s.Org)
			}
			for c := range len(s.Org.Areas) + 1 {
				var got []Why
				for _, r := range s.Teams {
					got = append(got, col(r, c).Hidden)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("column %d: hidden = %q, want %q", c, got, tt.want)
				}
			}
		})
	}
}

// TestSummarizeErrors checks the threshold and the refusal of input that
// is a bug upstream.
func TestSummarizeErrors(t *testing.T) {
	q := questionnaire(t, "tiimityo.yaml")
	good := func() RoundInput { return roundOf(t, []Group{team("a", 3), team("b", 3)}) }

	t.Run("threshold", func(t *testing.T) {
		for _, th := range []int{-1, 0, 2} {
			_, err := Summarize(good(), th)
			if err == nil || apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("threshold %d: error %v (kind %v), want an invalid error", th, err, apperr.KindOf(err))
			}
		}
		for _, th := range []int{MinThreshold, DefaultThreshold, 100} {
			if _, err := Summarize(good(), th); err != nil {
				t.Errorf("threshold %d: %v", th, err)
			}
		}
	})

	tests := []struct {
		name   string
		change func(in *RoundInput)
	}{
		{"no questionnaire", func(in *RoundInput) { in.Questionnaire = nil }},
		{"respondent without user id", func(in *RoundInput) { in.Respondents[2].UserID = "" }},
		{"too few areas", func(in *RoundInput) {
			r := &in.Respondents[1].Result
			r.Areas = r.Areas[:2]
		}},
		{"too many areas", func(in *RoundInput) {
			r := &in.Respondents[1].Result
			r.Areas = append(r.Areas, scoring.AreaResult{ID: "extra", Enough: true, Score: 3})
		}},
		{"areas in another order", func(in *RoundInput) {
			a := in.Respondents[0].Result.Areas
			a[0], a[1] = a[1], a[0]
		}},
		{"area of another questionnaire", func(in *RoundInput) { in.Respondents[4].Result.Areas[2].ID = "verkostot" }},
		{"no areas", func(in *RoundInput) { in.Respondents[0].Result = scoring.Result{} }},
		{"duplicate group ids", func(in *RoundInput) { in.Groups = append(in.Groups, Group{ID: "a"}) }},
		{"empty group id", func(in *RoundInput) { in.Groups[1].ID = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good()
			tt.change(&in)
			s, err := Summarize(in, 3)
			if err == nil {
				t.Fatalf("no error; summary %+v", s)
			}
			if apperr.KindOf(err) != apperr.Internal {
				t.Errorf("error %v is of kind %v, want internal", err, apperr.KindOf(err))
			}
		})
	}

	t.Run("empty round", func(t *testing.T) {
		s, err := Summarize(RoundInput{Questionnaire: q}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if s.Org.Submitted != 0 || s.Org.Overall.Hidden != TooFew || s.OverallDistribution != nil || len(s.Distribution) != 3 {
			t.Errorf("empty round = %+v", s)
		}
	})
}

// TestSummarizePrivacyProperty checks Summarize against a brute-force
// reading of its rules on random small rounds.
func TestSummarizePrivacyProperty(t *testing.T) {
	q := questionnaire(t, "tiimityo.yaml")
	rapid.Check(t, func(t *rapid.T) {
		in, threshold := roundGen(q).Draw(t, "round"), rapid.IntRange(MinThreshold, 6).Draw(t, "threshold")
		s, err := Summarize(in, threshold)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Summarize(in, threshold)
		if err != nil || !reflect.DeepEqual(s, again) {
			t.Fatalf("Summarize is not deterministic:\n%+v\n%+v (%v)", s, again, err)
		}
		checkSummary(t, in, threshold, s)
	})
}

// roundGen generates rounds of up to 30 users and 6 groups. Groups overlap
// freely, respondents may name a team outside the round or none, and a
// user may have answered twice.
func roundGen(q *assessment.Questionnaire) *rapid.Generator[RoundInput] {
	return rapid.Custom(func(t *rapid.T) RoundInput {
		nUsers := rapid.IntRange(1, 30).Draw(t, "users")
		user := rapid.Map(rapid.IntRange(0, nUsers-1), func(i int) string { return fmt.Sprintf("u%d", i) })
		in := RoundInput{Questionnaire: q}
		for g := range rapid.IntRange(0, 6).Draw(t, "groups") {
			in.Groups = append(in.Groups, Group{
				ID:      fmt.Sprintf("g%d", g),
				Invited: rapid.SliceOfN(user, 0, 12).Draw(t, "invited"),
			})
		}
		in.Invited = rapid.SliceOfN(user, 0, 30).Draw(t, "org invited")
		in.Started = rapid.SliceOfN(user, 0, 30).Draw(t, "started")
		teamID := rapid.Map(rapid.IntRange(0, len(in.Groups)), func(i int) string {
			if i == len(in.Groups) {
				return "elsewhere"
			}
			return in.Groups[i].ID
		})
		// A score in quarters from 1 to 5, or none about one time in
		// four.
		score := rapid.Map(rapid.IntRange(3, 20), func(i int) float64 {
			if i < 4 {
				return none
			}
			return float64(i) / 4
		})
		for range rapid.IntRange(0, 35).Draw(t, "respondents") {
			sc := rapid.SliceOfN(score, len(q.Areas)+1, len(q.Areas)+1).Draw(t, "scores")
			in.Respondents = append(in.Respondents, Respondent{
				UserID:  user.Draw(t, "user"),
				TeamIDs: rapid.SliceOfN(teamID, 0, 2).Draw(t, "teams"),
				Result:  result(q, sc[len(q.Areas)], sc[:len(q.Areas)]...),
			})
		}
		return in
	})
}

// userSet is a set of user ids.
type userSet map[string]bool

func (a userSet) subsetOf(b userSet) bool {
	for id := range a {
		if !b[id] {
			return false
		}
	}
	return true
}

// checkSummary checks s against the rules of Summarize worked out by brute
// force on in.
func checkSummary(t *rapid.T, in RoundInput, threshold int, s Summary) {
	q := in.Questionnaire
	// The respondents, the later entry of a user winning.
	latest := map[string]Respondent{}
	for _, r := range in.Respondents {
		latest[r.UserID] = r
	}
	started := userSet{}
	for _, id := range in.Started {
		started[id] = true
	}
	for id := range latest {
		started[id] = true
	}
	if s.Org.Submitted != len(latest) || s.Org.Started != len(started) || s.Org.Invited != len(set(in.Invited)) {
		t.Fatalf("org participation %d/%d/%d, want invited %d, started %d, submitted %d",
			s.Org.Invited, s.Org.Started, s.Org.Submitted, len(set(in.Invited)), len(started), len(latest))
	}
	members := make([]userSet, len(in.Groups))
	for gi, g := range in.Groups {
		members[gi] = userSet{}
		for id, r := range latest {
			if slices.Contains(r.TeamIDs, g.ID) || slices.Contains(g.Invited, id) {
				members[gi][id] = true
			}
		}
		groupStarted := 0
		for id := range started {
			if slices.Contains(g.Invited, id) || members[gi][id] {
				groupStarted++
			}
		}
		row := s.Teams[gi]
		if row.ID != g.ID || row.Submitted != len(members[gi]) || row.Started != groupStarted || row.Invited != len(set(g.Invited)) {
			t.Fatalf("group %s: row %+v, want invited %d, started %d, submitted %d",
				g.ID, row, len(set(g.Invited)), groupStarted, len(members[gi]))
		}
	}

	for c := range len(q.Areas) + 1 {
		score := func(r Respondent) (float64, bool) { return scoreOf(r.Result, c) }
		// The cells of the column, the organisation's first, with the
		// respondents each holds.
		type cellSet struct {
			name string
			cell Cell
			who  userSet
		}
		cells := []cellSet{{name: "org", cell: col(s.Org, c), who: userSet{}}}
		var orgValues []float64
		for id, r := range latest {
			if v, ok := score(r); ok {
				cells[0].who[id] = true
				orgValues = append(orgValues, v)
			}
		}
		for gi, g := range in.Groups {
			who := userSet{}
			for id := range members[gi] {
				if cells[0].who[id] {
					who[id] = true
				}
			}
			cells = append(cells, cellSet{name: g.ID, cell: col(s.Teams[gi], c), who: who})
		}
		orgShown := cells[0].cell.Hidden == Shown
		for _, x := range cells {
			what := fmt.Sprintf("column %d, %s: %+v", c, x.name, x.cell)
			if x.cell.N != len(x.who) {
				t.Fatalf("%s: N, want %d", what, len(x.who))
			}
			switch {
			case x.cell.Hidden == Shown:
				if x.cell.N < threshold {
					t.Fatalf("%s: shown below the threshold %d", what, threshold)
				}
				var values []float64
				for id := range x.who {
					v, _ := score(latest[id])
					values = append(values, v)
				}
				mean, sd := meanSD(values)
				if math.Abs(x.cell.Mean-mean) > 1e-9 || math.Abs(x.cell.SD-sd) > 1e-9 {
					t.Fatalf("%s: want mean %v, SD %v", what, mean, sd)
				}
			case x.cell.Mean != 0 || x.cell.SD != 0:
				t.Fatalf("%s: hidden with figures", what)
			case x.cell.Hidden == TooFew:
				if x.cell.N >= threshold && orgShown {
					t.Fatalf("%s: too few at or above the threshold %d", what, threshold)
				}
			case x.cell.Hidden == Complementary:
				if x.name == "org" || !orgShown || x.cell.N < threshold {
					t.Fatalf("%s: complementary where too few is due", what)
				}
			default:
				t.Fatalf("%s: unknown reason", what)
			}
		}
		d := dist(s, c)
		if !orgShown {
			if d != nil {
				t.Fatalf("column %d: distribution %v under a hidden org cell", c, d)
			}
			continue
		}
		if want := scoring.Distribution(q, orgValues); !slices.Equal(d, want) {
			t.Fatalf("column %d: distribution %v, want %v", c, d, want)
		}

		// Rule a: with a visible group, never exactly one hidden group
		// cell holding respondents.
		hiddenWithPeople, groupsShown := 0, 0
		residual := maps.Clone(cells[0].who)
		for _, x := range cells[1:] {
			switch {
			case x.cell.Hidden == Shown:
				groupsShown++
				for id := range x.who {
					delete(residual, id)
				}
			case x.cell.N > 0:
				hiddenWithPeople++
			}
		}
		if groupsShown > 0 && hiddenWithPeople == 1 {
			t.Fatalf("column %d: exactly one hidden group cell holds respondents", c)
		}
		// Rule b: the residual is empty or at least the threshold.
		if r := len(residual); r > 0 && r < threshold {
			t.Fatalf("column %d: %d respondents outside the visible groups", c, r)
		}
		// Rule c: no visible cell within another with a small difference.
		for _, x := range cells {
			for _, y := range cells {
				if x.name == y.name || x.cell.Hidden != Shown || y.cell.Hidden != Shown || !y.who.subsetOf(x.who) {
					continue
				}
				if d := len(x.who) - len(y.who); d > 0 && d < threshold {
					t.Fatalf("column %d: %s lies within %s and differs by %d", c, y.name, x.name, d)
				}
			}
		}
	}
}

// meanSD returns the mean and the sample standard deviation of values.
func meanSD(values []float64) (mean, sd float64) {
	for _, v := range values {
		mean += v
	}
	mean /= float64(len(values))
	if len(values) < 2 {
		return mean, 0
	}
	var ss float64
	for _, v := range values {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(values)-1))
}

// benchRound is a round of 20 teams of 25 respondents on the leadership
// questionnaire (7 areas), about one score in twenty missing.
func benchRound(b *testing.B) RoundInput {
	q := questionnaire(b, "johtamisosaaminen.yaml")
	rng := rand.New(rand.NewPCG(3, 5))
	in := RoundInput{Questionnaire: q}
	for g := range 20 {
		id := fmt.Sprintf("team%02d", g)
		members := users(id+"-", 28) // 3 of them never answer
		in.Groups = append(in.Groups, Group{ID: id, Invited: members})
		in.Invited = append(in.Invited, members...)
		in.Started = append(in.Started, members[:26]...)
		for _, u := range members[:25] {
			scores := make([]float64, len(q.Areas)+1)
			for i := range scores {
				scores[i] = none
				if rng.IntN(20) > 0 {
					scores[i] = float64(4+rng.IntN(17)) / 4
				}
			}
			in.Respondents = append(in.Respondents, Respondent{
				UserID: u, TeamIDs: []string{id},
				Result: result(q, scores[len(q.Areas)], scores[:len(q.Areas)]...),
			})
		}
	}
	return in
}

// BenchmarkSummarize summarises a round of 500 respondents in 20 teams.
func BenchmarkSummarize(b *testing.B) {
	in := benchRound(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Summarize(in, DefaultThreshold); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummarizeFloor does the least any summary must: the statistics
// of every cell (the organisation and each team, per column) over values
// gathered beforehand. BenchmarkSummarize divided by this is the cost of
// the rest: membership, participation and suppression.
func BenchmarkSummarizeFloor(b *testing.B) {
	in := benchRound(b)
	ncol := len(in.Questionnaire.Areas) + 1
	var cells [][]float64 // per column: the org's values, then each team's
	for c := range ncol {
		org := []float64{}
		teams := make(map[string][]float64)
		for _, r := range in.Respondents {
			if v, ok := scoreOf(r.Result, c); ok {
				org = append(org, v)
				teams[r.TeamIDs[0]] = append(teams[r.TeamIDs[0]], v)
			}
		}
		cells = append(cells, org)
		for _, g := range in.Groups {
			cells = append(cells, teams[g.ID])
		}
	}
	b.ReportAllocs()
	var sink float64
	for b.Loop() {
		for _, values := range cells {
			sink += scoring.Summarize(values).Mean
		}
	}
	_ = sink
}
