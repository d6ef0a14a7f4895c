package response_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/response"
)

// bruteForce computes a column's n, mean and SD over responses directly.
func bruteForce(rs []response.Response, col int, keep func(response.Response) bool) (int, float64, float64) {
	var v []float64
	for _, r := range rs {
		if !keep(r) {
			continue
		}
		score, enough := r.Result.Overall.Score, r.Result.Overall.Enough
		if col < len(r.Result.Areas) {
			score, enough = r.Result.Areas[col].Score, r.Result.Areas[col].Enough
		}
		if enough {
			v = append(v, score)
		}
	}
	if len(v) == 0 {
		return 0, 0, 0
	}
	var sum float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	sd := 0.0
	if len(v) > 1 {
		sd = math.Sqrt(ss / float64(len(v)-1))
	}
	return len(v), mean, sd
}

func checkCell(t *testing.T, what string, c analytics.Cell, n int, mean, sd float64) {
	t.Helper()
	if c.N != n || c.Hidden == analytics.Shown && (math.Abs(c.Mean-mean) > 1e-9 || math.Abs(c.SD-sd) > 1e-9) {
		t.Errorf("%s: %+v, want n %d, mean %v, SD %v", what, c, n, mean, sd)
	}
}

// TestDashboard: rounds oldest first with their figures checked against
// a brute-force computation over the stored responses, the filters, the
// network comparison, shared reflections, and no one else's view.
func TestDashboard(t *testing.T) {
	f := newFixture(t)
	small, _ := f.db.CreateTeam(f.ctx, account.Team{OrgID: f.orgID, Name: "Pieni", CreatedAt: time.Now()})
	first := f.round(nil)
	var team []*account.Principal
	for i := range 6 {
		team = append(team, f.person(fmt.Sprintf("d%d@o.fi", i), account.Leader, f.orgID, f.teamID))
	}
	pair := []*account.Principal{f.person("s1@o.fi", account.Leader, f.orgID, small.ID), f.person("s2@o.fi", account.Leader, f.orgID, small.ID)}
	for i, p := range append(append([]*account.Principal{}, team...), pair...) {
		if _, err := f.submit(p, first, float64(1+i%4)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.CloseRound(f.ctx, f.hr, f.orgID, first.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	second := f.round(nil)
	for i, p := range team[:5] {
		if _, err := f.submit(p, second, float64(2+i%3)); err != nil {
			t.Fatal(err)
		}
	}
	// One leader shares a response with a reflection.
	d, err := f.svc.Start(f.ctx, team[5], f.orgID, second.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for page := 1; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, team[5], d.ID, page, f.answerPage(page, 4), page+1); err != nil {
			t.Fatal(err)
		}
	}
	reflection := f.q.Reflections[0]
	shared, err := f.svc.Submit(f.ctx, team[5], d.ID, func(*assessment.Questionnaire, int) (assessment.Answers, error) {
		return assessment.Answers{reflection.ID: {Text: "Yhteinen suunnittelu."}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetShared(f.ctx, team[5], shared.ID, true); err != nil {
		t.Fatal(err)
	}
	// Two other organisations answer the same version.
	outsideOrg := f.outside.Grants[0].OrgID
	third, err := f.db.CreateOrg(f.ctx, account.Organisation{Name: "Kolmas", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var others []response.Response
	for oi, orgID := range []string{outsideOrg, third.ID} {
		r, err := f.svc.CreateRound(f.ctx, f.person(fmt.Sprintf("hr%d@t.fi", oi), account.HR, orgID, ""), orgID,
			response.RoundInput{Name: "Muualla", QuestionnaireID: "tiimityo", Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			resp, err := f.submit(f.person(fmt.Sprintf("x%d-%d@t.fi", oi, i), account.Leader, orgID, ""), r, float64(1+(i+oi)%5))
			if err != nil {
				t.Fatal(err)
			}
			others = append(others, resp)
		}
		if err := f.svc.CloseRound(f.ctx, f.person(fmt.Sprintf("hrc%d@t.fi", oi), account.HR, orgID, ""), orgID, r.ID); err != nil {
			t.Fatal(err)
		}
		if oi == 0 {
			// With one other organisation, its total is not shown to HR.
			db, err := f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{}, 5)
			if err != nil || db.Network.OtherOrganisations != 1 || db.Network.Others.Overall.Hidden == analytics.Shown {
				t.Fatalf("one other organisation: %v, %+v", err, db.Network)
			}
		}
	}

	// While the second round is open, its figures are hidden; the
	// first, closed, shows them.
	db, err := f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if c := db.Rounds[1].Summary.Org.Overall; c.Hidden != analytics.Open || c.Mean != 0 || c.N != 6 || db.Rounds[1].Summary.Distribution[0] != nil {
		t.Fatalf("an open round's overall: %+v", c)
	}
	if c := db.Rounds[0].Summary.Org.Overall; c.Hidden != analytics.Shown {
		t.Fatalf("a closed round's overall: %+v", c)
	}
	if err := f.svc.CloseRound(f.ctx, f.hr, f.orgID, second.ID); err != nil {
		t.Fatal(err)
	}
	db, err = f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Rounds) != 2 || db.Rounds[0].Round.ID != first.ID || db.Rounds[1].Round.ID != second.ID || db.Selected != 1 || db.QuestionnaireID != "tiimityo" {
		t.Fatalf("rounds %d, selected %d, questionnaire %q", len(db.Rounds), db.Selected, db.QuestionnaireID)
	}
	for i, rf := range db.Rounds {
		rs, err := f.db.RoundResponses(f.ctx, f.orgID, rf.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rf.Summary.Org.Submitted != len(rs) {
			t.Errorf("round %d: %d submitted, %d stored", i, rf.Summary.Org.Submitted, len(rs))
		}
		for c := range len(f.q.Areas) + 1 {
			cell := rf.Summary.Org.Overall
			if c < len(f.q.Areas) {
				cell = rf.Summary.Org.Areas[c]
			}
			n, mean, sd := bruteForce(rs, c, func(response.Response) bool { return true })
			checkCell(t, fmt.Sprintf("round %d, org, column %d", i, c), cell, n, mean, sd)
			for ti, row := range rf.Summary.Teams {
				cell := row.Overall
				if c < len(f.q.Areas) {
					cell = row.Areas[c]
				}
				n, mean, sd := bruteForce(rs, c, func(r response.Response) bool { return len(r.TeamIDs) > 0 && r.TeamIDs[0] == row.ID })
				checkCell(t, fmt.Sprintf("round %d, team %d, column %d", i, ti, c), cell, n, mean, sd)
			}
		}
	}
	// The pair is too few; with one team hidden, the other is hidden too.
	for _, row := range db.Rounds[0].Summary.Teams {
		if row.Overall.Hidden == analytics.Shown {
			t.Errorf("first round, team %s shown: %+v", row.Name, row.Overall)
		}
	}
	if len(db.Shared) != 1 || db.Shared[0].Name != "d5@o.fi" || len(db.Shared[0].Reflections) != 1 || db.Shared[0].Reflections[0].Answer != "Yhteinen suunnittelu." {
		t.Fatalf("shared: %+v", db.Shared)
	}
	if db.Network.OtherOrganisations != 2 || db.Network.Others.Submitted != 10 {
		t.Fatalf("network: %+v", db.Network)
	}
	for c := range len(f.q.Areas) + 1 {
		cell := db.Network.Others.Overall
		if c < len(f.q.Areas) {
			cell = db.Network.Others.Areas[c]
		}
		n, mean, sd := bruteForce(others, c, func(response.Response) bool { return true })
		checkCell(t, fmt.Sprintf("other organisations, column %d", c), cell, n, mean, sd)
	}

	// The administrator's view of the network names the organisations.
	admin := f.person("admin@v.fi", account.Admin, "", "")
	if _, sum, err := f.svc.Network(f.ctx, admin, "tiimityo", 5); err != nil || len(sum.Teams) != 3 || sum.Teams[0].Name == "" || sum.Org.Submitted != 16 { // each organisation's latest round
		t.Fatalf("network view: %v, %+v", err, sum)
	}
	if _, _, err := f.svc.Network(f.ctx, f.hr, "tiimityo", 5); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("HR sees the network view: %v", err)
	}

	// Filters: the first round; an unknown team or round falls back.
	db, err = f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{RoundID: first.ID, TeamID: small.ID}, 5)
	if err != nil || db.Selected != 0 || db.TeamID != small.ID || len(db.Shared) != 0 {
		t.Fatalf("filtered: %v, selected %d, team %q, shared %d", err, db.Selected, db.TeamID, len(db.Shared))
	}
	db, err = f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{RoundID: "nope", TeamID: "nope", QuestionnaireID: "nope"}, 5)
	if err != nil || db.Selected != 1 || db.TeamID != "" || db.QuestionnaireID != "tiimityo" {
		t.Fatalf("unknown filters: %v, selected %d, team %q", err, db.Selected, db.TeamID)
	}

	// Every filter combination shows only cells of at least five.
	for _, round := range []string{"", first.ID, second.ID} {
		for _, team := range []string{"", f.teamID, small.ID} {
			db, err := f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{RoundID: round, TeamID: team}, 5)
			if err != nil {
				t.Fatal(err)
			}
			rows := []analytics.Row{db.Network.Others}
			for _, rf := range db.Rounds {
				rows = append(append(rows, rf.Summary.Org), rf.Summary.Teams...)
			}
			for _, r := range rows {
				for _, c := range append(append([]analytics.Cell{}, r.Areas...), r.Overall) {
					if c.Hidden == analytics.Shown && c.N < 5 {
						t.Fatalf("round %q, team %q: a cell of %d is shown: %+v", round, team, c.N, r)
					}
				}
			}
		}
	}

	// Unsharing removes the reflection from HR's view.
	if err := f.svc.SetShared(f.ctx, team[5], shared.ID, false); err != nil {
		t.Fatal(err)
	}
	if db, err = f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{}, 5); err != nil || len(db.Shared) != 0 {
		t.Fatalf("after unsharing: %v, %+v", err, db.Shared)
	}
	if n, err := f.svc.CheckRollups(f.ctx); err != nil || n != 0 {
		t.Fatalf("the rollups drifted from the responses: %d rebuilt, %v", n, err)
	}

	for name, p := range map[string]*account.Principal{"leader": f.leader, "leader of another organisation": f.outside} {
		if _, err := f.svc.Dashboard(f.ctx, p, f.orgID, response.DashboardFilter{}, 5); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("%s: %v, want NotFound", name, err)
		}
	}
	if _, err := f.svc.Dashboard(f.ctx, f.hr, f.orgID, response.DashboardFilter{}, 2); err == nil {
		t.Error("a threshold of 2 was accepted")
	}
}
