package webapp_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/assessment"
	"vertaa/internal/response"
	"vertaa/internal/scoring"
)

// BenchmarkDashboard renders HR's analytics page of an organisation of
// 1,000 leaders in 20 teams with 1,000 responses (one round) and then
// with 20,000 (twenty rounds), on the embedded store. The goal: the
// second at most 1.5 times the first, and under 150 ms. Run it with
// -benchtime 20x: the 20,000 responses take a minute to store.
func BenchmarkDashboard(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	db := w.app.db
	q := w.questionnaire(b, "johtamisosaaminen")

	const leaders, teams = 1000, 20
	var teamIDs []string
	for i := range teams {
		t, err := db.CreateTeam(ctx, account.Team{OrgID: w.orgA.ID, Name: fmt.Sprintf("Tiimi %d", i+1), CreatedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		teamIDs = append(teamIDs, t.ID)
	}
	users := make([]string, leaders)
	for i := range users {
		u, err := db.CreateUser(ctx, account.User{Email: fmt.Sprintf("johtaja%d@opisto.fi", i), Name: fmt.Sprintf("Johtaja %d", i), CreatedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		users[i] = u.ID
		if err := db.AddGrant(ctx, account.Grant{UserID: u.ID, Role: account.Leader, OrgID: w.orgA.ID}); err != nil {
			b.Fatal(err)
		}
		if err := db.AddTeamMember(ctx, account.TeamMember{OrgID: w.orgA.ID, TeamID: teamIDs[i%teams], UserID: u.ID}); err != nil {
			b.Fatal(err)
		}
	}
	// Five answer patterns, scored once.
	var results []scoring.Result
	for v := 1; v <= 5; v++ {
		a := assessment.Answers{}
		for _, area := range q.Areas {
			for _, it := range area.Items {
				if it.Scored() {
					a[it.ID] = assessment.Answer{Value: float64(1 + (v+len(it.ID))%5)}
				}
			}
		}
		r, err := scoring.New(q).Score(a)
		if err != nil {
			b.Fatal(err)
		}
		results = append(results, r)
	}
	sess, err := w.app.accounts.StartSession(ctx, w.hrA.ID)
	if err != nil {
		b.Fatal(err)
	}
	hr, err := w.app.accounts.Principal(ctx, w.hrA.ID, sess.ID)
	if err != nil {
		b.Fatal(err)
	}
	rounds := 0
	addRound := func() {
		rounds++
		// Closed rounds, opened in order, so that their figures show.
		r, err := w.app.responses.CreateRound(ctx, hr, w.orgA.ID, response.RoundInput{Name: fmt.Sprintf("Kierros %d", rounds), QuestionnaireID: q.ID,
			Opens: time.Now().Add(time.Duration(rounds-100) * time.Hour), Closes: time.Now().Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.app.responses.CloseRound(ctx, hr, w.orgA.ID, r.ID); err != nil {
			b.Fatal(err)
		}
		for i, u := range users {
			if _, err := db.AddResponse(ctx, response.Response{ID: fmt.Sprintf("r%d-%d", rounds, i), UserID: u, OrgID: w.orgA.ID, RoundID: r.ID,
				TeamIDs: []string{teamIDs[i%teams]}, QuestionnaireID: q.ID, Version: q.Version, Hash: q.Hash,
				Answers: assessment.Answers{}, Result: results[(i+rounds)%len(results)], SubmittedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
		}
	}
	c := w.as(b, w.hrA)
	page := func(b *testing.B, responses int) {
		if _, err := w.app.responses.CheckRollups(ctx); err != nil { // builds the rollups of the responses stored directly
			b.Fatal(err)
		}
		c.get("/orgs/" + w.orgA.ID + "/analytics") // warms the store's caches, outside the timing
		for b.Loop() {
			resp, _ := c.get("/orgs/" + w.orgA.ID + "/analytics")
			if resp.StatusCode != http.StatusOK {
				b.Fatal(resp.StatusCode)
			}
		}
		b.ReportMetric(float64(responses), "responses")
	}
	addRound()
	b.Run("responses=1000", func(b *testing.B) { page(b, 1000) })
	for rounds < 20 {
		addRound()
	}
	b.Run("responses=20000", func(b *testing.B) { page(b, 20000) })
}
