package response_test

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/apperr"
	"vertaa/internal/response"
)

// submit fills in and submits p's draft of a round with value v, for use
// in goroutines: it returns errors instead of failing the test.
func (f *fixture) submit(p *account.Principal, r response.Round, v float64) (response.Response, error) {
	d, err := f.svc.Start(f.ctx, p, r.OrgID, r.ID, "")
	if err != nil {
		return response.Response{}, err
	}
	for page := 1; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, p, d.ID, page, f.answerPage(page, v), page+1); err != nil {
			return response.Response{}, err
		}
	}
	return f.svc.Submit(f.ctx, p, d.ID, nil)
}

// sameRollup fails the test unless the round's rollup holds what a
// rebuild from its responses holds.
func (f *fixture) sameRollup(r response.Round, wantResponses int) {
	f.t.Helper()
	got, err := f.db.Rollup(f.ctx, f.orgID, r.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if n, err := f.svc.CheckRollups(f.ctx); err != nil || n != 0 {
		f.t.Fatalf("CheckRollups after submissions rebuilt %d rollups (%v); the rollup was %+v", n, err, got)
	}
	if len(got.Versions) != 1 || got.Versions[0].Responses != wantResponses || got.Versions[0].Aggregate.Respondents() != wantResponses {
		f.t.Fatalf("rollup versions %+v, want one with %d responses", got.Versions, wantResponses)
	}
	// A rebuild (rollup deleted, then read) gives the same figures.
	if err := f.db.RebuildRollup(f.ctx, f.orgID, r.ID, func(rs []response.Response) (response.Rollup, error) {
		return response.Rollup{OrgID: f.orgID, RoundID: r.ID}, nil
	}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.CheckRollups(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	rebuilt, err := f.db.Rollup(f.ctx, f.orgID, r.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	a, b := got.Versions[0].Aggregate, rebuilt.Versions[0].Aggregate
	if len(a.Buckets) != len(b.Buckets) || got.Versions[0].Check != rebuilt.Versions[0].Check {
		f.t.Fatalf("folded %+v, rebuilt %+v", got.Versions[0], rebuilt.Versions[0])
	}
	for i := range a.Buckets {
		if a.Buckets[i].Respondents != b.Buckets[i].Respondents || fmt.Sprint(a.Buckets[i].Teams) != fmt.Sprint(b.Buckets[i].Teams) {
			f.t.Fatalf("bucket %d: folded %+v, rebuilt %+v", i, a.Buckets[i], b.Buckets[i])
		}
		for c := range a.Buckets[i].Cols {
			x, y := a.Buckets[i].Cols[c], b.Buckets[i].Cols[c]
			if x.N != y.N || math.Abs(x.Mean-y.Mean) > 1e-9 || math.Abs(x.SD()-y.SD()) > 1e-9 || fmt.Sprint(x.Levels) != fmt.Sprint(y.Levels) {
				f.t.Fatalf("bucket %d column %d: folded %+v, rebuilt %+v", i, c, x, y)
			}
		}
	}
}

// Many leaders submitting at once, some twice (a double click): every
// response is folded into the rollup exactly once.
func TestRollupUnderConcurrentSubmissions(t *testing.T) {
	f := newFixture(t)
	round := f.round(nil)
	const leaders = 24
	people := make([]*account.Principal, leaders)
	for i := range people {
		team := ""
		if i%3 == 0 {
			team = f.teamID
		}
		people[i] = f.person(fmt.Sprintf("c%d@o.fi", i), account.Leader, f.orgID, team)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*leaders)
	for i, p := range people {
		wg.Go(func() {
			r, err := f.submit(p, round, float64(1+i%5))
			if err != nil {
				errs <- err
				return
			}
			if i%4 == 0 { // submitted again: the same response, not folded again
				if again, err := f.svc.Submit(f.ctx, p, r.ID, nil); err != nil && apperr.KindOf(err) != apperr.NotFound {
					errs <- err
				} else if err == nil && again.ID != r.ID {
					errs <- errors.New("a second submit made another response")
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	f.sameRollup(round, leaders)
}

// A response the rollup missed (stored without folding, as after a crash
// between the two writes) is found by CheckRollups, which rebuilds the
// rollup; a rollup that was lost is rebuilt by its next reader.
func TestCheckRollupsRepairs(t *testing.T) {
	f := newFixture(t)
	round := f.round(nil)
	for i := range 5 {
		if _, err := f.submit(f.person(fmt.Sprintf("r%d@o.fi", i), account.Leader, f.orgID, f.teamID), round, 3); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.svc.CheckRollups(f.ctx); err != nil || n != 0 {
		t.Fatalf("a rollup in step was rebuilt: %d, %v", n, err)
	}
	done, err := f.submit(f.person("missed@o.fi", account.Leader, f.orgID, f.teamID), round, 5)
	if err != nil {
		t.Fatal(err)
	}
	// The same response stored once more under another id, bypassing the
	// rollup.
	extra := done
	extra.ID, extra.UserID = "missed-by-the-rollup", f.other.User.ID
	if _, err := f.db.AddResponse(f.ctx, extra); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.CheckRollups(f.ctx); err != nil || n != 1 {
		t.Fatalf("CheckRollups rebuilt %d rollups (%v), want 1", n, err)
	}
	if n, err := f.svc.CheckRollups(f.ctx); err != nil || n != 0 {
		t.Fatalf("a second check rebuilt %d rollups (%v), want 0", n, err)
	}
	if err := f.svc.CloseRound(f.ctx, f.hr, f.orgID, round.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.RoundReport(f.ctx, f.hr, f.orgID, round.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Org.Submitted != 7 {
		t.Fatalf("after the repair the report counts %d responses, want 7", rep.Summary.Org.Submitted)
	}

	// A lost rollup: the next report builds it again.
	if err := f.db.RebuildRollup(f.ctx, f.orgID, round.ID, func([]response.Response) (response.Rollup, error) {
		return response.Rollup{}, errors.New("no rollup")
	}); err == nil {
		t.Fatal("a failing build was accepted")
	}
	if rep, err = f.svc.RoundReport(f.ctx, f.hr, f.orgID, round.ID, 5); err != nil || rep.Summary.Org.Submitted != 7 {
		t.Fatalf("report: %v, %+v", err, rep.Summary.Org)
	}
	if c := rep.Summary.Org.Areas[0]; c.Hidden != analytics.Shown || c.N != 7 {
		t.Fatalf("first area: %+v", c)
	}
}
