package badge_test

import (
	"testing"

	"vertaa/badges"
	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/badge"
	"vertaa/internal/scoring"
)

func shipped(t *testing.T) (*badge.Catalog, *assessment.Catalog) {
	t.Helper()
	qs := assessmenttest.Shipped(t)
	c, err := badge.Load(badges.FS, "badges", qs)
	if err != nil {
		t.Fatal(err)
	}
	return c, qs
}

// result is a response's result with the given level of area
// pedagoginen-johtaminen and overall score.
func result(level string, enough bool, overall float64, overallEnough bool) scoring.Result {
	return scoring.Result{
		Areas: []scoring.AreaResult{
			{ID: "henkilostojohtaminen", Score: 1.5, Enough: true, Level: "kehittyva"},
			{ID: "pedagoginen-johtaminen", Score: 4, Enough: enough, Level: level},
		},
		Overall: scoring.Overall{Score: overall, Enough: overallEnough, Level: "osaava", Areas: 2},
	}
}

func TestMet(t *testing.T) {
	c, qs := shipped(t)
	q, _ := qs.Get("johtamisosaaminen")
	other, _ := qs.Get("tiimityo")
	// pedagoginen-johtaminen at edistynyt or above, overall at least 3.0.
	cl, _ := c.Get("pedagoginen-johtaja")
	cases := []struct {
		name string
		q    *assessment.Questionnaire
		r    scoring.Result
		want bool
	}{
		{"at the level", q, result("edistynyt", true, 3.2, true), true},
		// The ids sort the other way round: levels compare by their order
		// in the questionnaire.
		{"above the level", q, result("edellakavija", true, 3.2, true), true},
		{"below the level", q, result("osaava", true, 3.2, true), false},
		{"lowest level", q, result("kehittyva", true, 3.2, true), false},
		{"area without enough answers", q, result("", false, 3.2, true), false},
		{"area missing from the result", q, scoring.Result{Overall: scoring.Overall{Score: 4, Enough: true}}, false},
		{"overall exactly at the minimum", q, result("edistynyt", true, 3.0, true), true},
		{"overall below the minimum", q, result("edistynyt", true, 2.99, true), false},
		{"overall without enough answers", q, result("edistynyt", true, 0, false), false},
		{"another questionnaire", other, result("edistynyt", true, 3.2, true), false},
	}
	for _, tc := range cases {
		if got := cl.Met(tc.q, tc.r); got != tc.want {
			t.Errorf("%s: Met = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Badges not earned automatically are never met by a response.
	for _, id := range []string{"vertaisvalmentaja", "johtamisosaamisen-mestari"} {
		cl, _ := c.Get(id)
		if cl.Met(q, result("edellakavija", true, 5, true)) {
			t.Errorf("%s is met by a response", id)
		}
	}
	// A rule of min_overall alone.
	min := 4.0
	overall := &badge.Class{Earn: badge.Earn{Kind: badge.Automatic, Questionnaire: q.ID, Rules: []badge.Rule{{MinOverall: &min}}}}
	if !overall.Met(q, result("", false, 4, true)) || overall.Met(q, result("edellakavija", true, 3.99, true)) {
		t.Error("a min_overall rule does not compare the overall score")
	}
	// No rules: never met.
	empty := &badge.Class{Earn: badge.Earn{Kind: badge.Automatic, Questionnaire: q.ID}}
	if empty.Met(q, result("edellakavija", true, 5, true)) {
		t.Error("a badge without rules is met")
	}
}

// TestMetFromScores scores real answers to the shipped questionnaire and
// checks every area badge against them.
func TestMetFromScores(t *testing.T) {
	c, qs := shipped(t)
	q, _ := qs.Get("johtamisosaaminen")
	best := assessment.Answers{}
	for _, a := range q.Areas {
		for _, it := range a.Items {
			if !it.Scored() {
				continue
			}
			sc, _ := q.Scale(it.Scale)
			lo, hi := sc.Range()
			if it.Reverse {
				hi = lo
			}
			best[it.ID] = assessment.Answer{Value: hi}
		}
	}
	s := scoring.New(q)
	r, err := s.Score(best)
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range c.All() {
		if cl.Earn.Kind == badge.Automatic && cl.Earn.Questionnaire == q.ID && !cl.Met(q, r) {
			t.Errorf("the best answers do not earn %s", cl.ID)
		}
	}
	// Fewer answers than the area needs ("cannot say" where offered, no
	// answer elsewhere) leave it without a score: its badge is not
	// earned, the others still are.
	few := assessment.Answers{}
	for id, a := range best {
		few[id] = a
	}
	need := q.Scoring.MinAnswers
	if q.Areas[0].MinAnswers > 0 {
		need = q.Areas[0].MinAnswers
	}
	kept := 0
	for _, it := range q.Areas[0].Items {
		switch {
		case !it.Scored():
		case kept < need-1:
			kept++
		case it.NotApplicable:
			few[it.ID] = assessment.Answer{NA: true}
		default:
			delete(few, it.ID)
		}
	}
	r, err = s.Score(few)
	if err != nil {
		t.Fatal(err)
	}
	if r.Areas[0].Enough {
		t.Fatalf("area %s still has a score", q.Areas[0].ID)
	}
	for _, cl := range c.All() {
		if cl.Earn.Kind != badge.Automatic {
			continue
		}
		want := cl.Earn.Rules[0].Area != q.Areas[0].ID
		if got := cl.Met(q, r); got != want {
			t.Errorf("%s: Met = %v with area %s unscored, want %v", cl.ID, got, q.Areas[0].ID, want)
		}
	}
}

func TestPathwayDone(t *testing.T) {
	c, _ := shipped(t)
	cl, _ := c.Get("johtamisosaamisen-mestari")
	all := map[string]bool{}
	for _, id := range cl.Earn.Requires {
		all[id] = true
	}
	if !cl.PathwayDone(all) {
		t.Error("holding every required badge does not complete the pathway")
	}
	all["vertaisvalmentaja"] = true
	if !cl.PathwayDone(all) {
		t.Error("an extra badge breaks the pathway")
	}
	all[cl.Earn.Requires[3]] = false
	if cl.PathwayDone(all) {
		t.Error("the pathway is done without one required badge")
	}
	delete(all, cl.Earn.Requires[3])
	if cl.PathwayDone(all) {
		t.Error("the pathway is done without one required badge")
	}
	if cl.PathwayDone(nil) {
		t.Error("the pathway is done without badges")
	}
	auto, _ := c.Get("pedagoginen-johtaja")
	if auto.PathwayDone(map[string]bool{"pedagoginen-johtaja": true}) {
		t.Error("a badge that is not a pathway is done as one")
	}
	empty := &badge.Class{Earn: badge.Earn{Kind: badge.Pathway}}
	if empty.PathwayDone(map[string]bool{"x": true}) {
		t.Error("a pathway without requirements is done")
	}
}
