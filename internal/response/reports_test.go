package response_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/apperr"
	"vertaa/internal/response"
)

// answerAll fills in and submits p's draft of a round with value v.
func (f *fixture) answerAll(p *account.Principal, r response.Round, v float64) response.Response {
	f.t.Helper()
	d, err := f.svc.Start(f.ctx, p, f.orgID, r.ID, "")
	if err != nil {
		f.t.Fatal(err)
	}
	for page := 1; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, p, d.ID, page, f.answerPage(page, v), page+1); err != nil {
			f.t.Fatal(err)
		}
	}
	res, err := f.svc.Submit(f.ctx, p, d.ID, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// TestRoundReport gathers a round for HR's report: who was asked, who
// started, who answered, per team; the figures under the threshold; the
// previous round of the same questionnaire; and only for HR of the
// organisation.
func TestRoundReport(t *testing.T) {
	f := newFixture(t)
	first := f.round(nil)
	// Five more leaders in the team, so that the team reaches the threshold.
	team := []*account.Principal{f.leader}
	for i := range 5 {
		team = append(team, f.person(fmt.Sprintf("t%d@o.fi", i), account.Leader, f.orgID, f.teamID))
	}
	var answered response.Response
	for _, p := range team {
		answered = f.answerAll(p, first, 4)
	}
	// The leader in no team starts but does not submit.
	if _, err := f.svc.Start(f.ctx, f.other, f.orgID, first.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.CloseRound(f.ctx, f.hr, f.orgID, first.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	second := f.round([]string{f.teamID})
	for _, p := range team[:3] {
		f.answerAll(p, second, 2)
	}

	rep, err := f.svc.RoundReport(f.ctx, f.hr, f.orgID, first.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	org := rep.Summary.Org
	if org.Invited != 7 || org.Started != 7 || org.Submitted != 6 {
		t.Fatalf("participation of a round for everyone: %+v, want 7 invited, 7 started, 6 submitted", org)
	}
	if len(rep.Summary.Teams) != 1 || rep.Summary.Teams[0].Invited != 6 || rep.Summary.Teams[0].Submitted != 6 {
		t.Fatalf("team rows: %+v", rep.Summary.Teams)
	}
	// Everyone answered alike: the mean is one response's score.
	if c := org.Areas[0]; c.Hidden != analytics.Shown || c.N != 6 || math.Abs(c.Mean-answered.Result.Areas[0].Score) > 1e-9 || c.SD > 1e-9 {
		t.Fatalf("first area: %+v", c)
	}
	if rep.Previous != nil {
		t.Fatalf("the first round has a previous round: %+v", rep.Previous)
	}

	rep, err = f.svc.RoundReport(f.ctx, f.hr, f.orgID, second.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Org.Invited != 6 || rep.Summary.Org.Submitted != 3 {
		t.Fatalf("participation of a team round: %+v", rep.Summary.Org)
	}
	if c := rep.Summary.Org.Areas[0]; c.Hidden != analytics.Open || c.Mean != 0 {
		t.Fatalf("an open round's figures: %+v", c)
	}
	if err := f.svc.CloseRound(f.ctx, f.hr, f.orgID, second.ID); err != nil {
		t.Fatal(err)
	}
	if rep, err = f.svc.RoundReport(f.ctx, f.hr, f.orgID, second.ID, 5); err != nil {
		t.Fatal(err)
	}
	if c := rep.Summary.Org.Areas[0]; c.Hidden != analytics.TooFew || c.Mean != 0 {
		t.Fatalf("three answers under a threshold of five: %+v", c)
	}
	if rep.Previous == nil || rep.Previous.ID != first.ID || rep.PreviousSummary.Org.Submitted != 6 {
		t.Fatalf("previous round: %+v", rep.Previous)
	}

	for name, p := range map[string]*account.Principal{"leader": f.leader, "leader of another organisation": f.outside} {
		if _, err := f.svc.RoundReport(f.ctx, p, f.orgID, first.ID, 5); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("%s: %v, want NotFound", name, err)
		}
	}
	if _, err := f.svc.RoundReport(f.ctx, f.hr, f.orgID, "no-such-round", 5); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown round: %v", err)
	}
	if _, err := f.svc.RoundReport(f.ctx, f.hr, f.orgID, first.ID, 2); err == nil {
		t.Error("a threshold of 2 was accepted")
	}
}
