package response_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/response"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *store.Store
	svc     *response.Service
	q       *assessment.Questionnaire
	orgID   string
	teamID  string
	hr      *account.Principal
	leader  *account.Principal
	other   *account.Principal // a leader of the same organisation in no team
	outside *account.Principal // a leader of another organisation
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.NewWithSchema(t)
	cat := assessmenttest.Shipped(t)
	svc, err := response.NewService(ctx, db, cat)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: db, svc: svc}
	f.q, _ = cat.Get("tiimityo")
	org, err := db.CreateOrg(ctx, account.Organisation{Name: "Opisto", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := db.CreateOrg(ctx, account.Organisation{Name: "Toinen", CreatedAt: time.Now()})
	team, _ := db.CreateTeam(ctx, account.Team{OrgID: org.ID, Name: "Tiimi", CreatedAt: time.Now()})
	f.orgID, f.teamID = org.ID, team.ID
	f.hr = f.person("hr@o.fi", account.HR, org.ID, "")
	f.leader = f.person("l@o.fi", account.Leader, org.ID, team.ID)
	f.other = f.person("m@o.fi", account.Leader, org.ID, "")
	f.outside = f.person("x@t.fi", account.Leader, other.ID, "")
	return f
}

func (f *fixture) person(email string, role account.Role, orgID, teamID string) *account.Principal {
	f.t.Helper()
	u, err := f.db.CreateUser(f.ctx, account.User{Email: email, Name: email, CreatedAt: time.Now()})
	if err != nil {
		f.t.Fatal(err)
	}
	g := account.Grant{UserID: u.ID, Role: role, OrgID: orgID}
	if err := f.db.AddGrant(f.ctx, g); err != nil {
		f.t.Fatal(err)
	}
	if teamID != "" {
		if err := f.db.AddTeamMember(f.ctx, account.TeamMember{OrgID: orgID, TeamID: teamID, UserID: u.ID}); err != nil {
			f.t.Fatal(err)
		}
	}
	return &account.Principal{User: u, Grants: []account.Grant{g}}
}

func (f *fixture) round(teams []string) response.Round {
	f.t.Helper()
	r, err := f.svc.CreateRound(f.ctx, f.hr, f.orgID, response.RoundInput{Name: "Syksy 2026", QuestionnaireID: "tiimityo",
		TeamIDs: teams, Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(24 * time.Hour)})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// answerPage answers every item of a page with value v (N/A where v is 0
// and offered).
func (f *fixture) answerPage(page int, v float64) assessment.Answers {
	a := assessment.Answers{}
	if page > len(f.q.Areas) {
		return a
	}
	for _, it := range f.q.Areas[page-1].Items {
		if it.Kind == assessment.TextItem {
			continue
		}
		a[it.ID] = assessment.Answer{Value: v}
	}
	return a
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Fatalf("got %v, want %v", err, kind)
	}
}

func TestRounds(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CreateRound(f.ctx, f.leader, f.orgID, response.RoundInput{})
	wantKind(t, err, apperr.NotFound)
	_, err = f.svc.CreateRound(f.ctx, f.hr, f.orgID, response.RoundInput{Name: "", QuestionnaireID: "nope", TeamIDs: []string{"alien"},
		Opens: time.Now(), Closes: time.Now().Add(-time.Hour)})
	fields := map[string]string{}
	for _, fe := range apperr.FieldsOf(err) {
		fields[fe.Field] = fe.Code
	}
	if fields["name"] != "name.required" || fields["questionnaire"] != "questionnaire.unknown" || fields["closes"] != "date.before_opens" || fields["teams"] != "team.unknown" {
		t.Fatalf("fields = %v", fields)
	}
	r := f.round([]string{f.teamID})
	as, err := f.svc.Assignments(f.ctx, f.leader)
	if err != nil || len(as) != 1 || as[0].Round.ID != r.ID || as[0].Draft != nil {
		t.Fatalf("the team member's assignments: %+v, %v", as, err)
	}
	for _, p := range []*account.Principal{f.other, f.outside} {
		if as, _ := f.svc.Assignments(f.ctx, p); len(as) != 0 {
			t.Fatalf("%s is not in the round's team but has %+v", p.User.Email, as)
		}
		_, err := f.svc.Start(f.ctx, p, r.OrgID, r.ID, "")
		wantKind(t, err, apperr.NotFound)
	}
}

func TestDraftAndSubmit(t *testing.T) {
	f := newFixture(t)
	r := f.round(nil)
	d, err := f.svc.Start(f.ctx, f.leader, f.orgID, r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Start(f.ctx, f.leader, f.orgID, r.ID, "")
	if err != nil || again.ID != d.ID {
		t.Fatalf("starting twice gave another draft: %v %v", again.ID, err)
	}

	t.Run("bad answers change nothing", func(t *testing.T) {
		before, _ := f.svc.Draft(f.ctx, f.leader, d.ID)
		for name, a := range map[string]assessment.Answers{
			"unknown item":      {"zz-1": {Value: 3}},
			"item of page 2":    {f.q.Areas[1].Items[0].ID: {Value: 3}},
			"outside the scale": {f.q.Areas[0].Items[0].ID: {Value: 9}},
		} {
			_, err := f.svc.SavePage(f.ctx, f.leader, d.ID, 1, a, 2)
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%s: got %v, want Invalid", name, err)
			}
		}
		after, _ := f.svc.Draft(f.ctx, f.leader, d.ID)
		if after.Draft.Revision != before.Draft.Revision || len(after.Draft.Answers) != 0 {
			t.Fatalf("refused saves changed the draft: %+v", after.Draft)
		}
	})
	t.Run("another person's draft", func(t *testing.T) {
		_, err := f.svc.Draft(f.ctx, f.other, d.ID)
		wantKind(t, err, apperr.NotFound)
		_, err = f.svc.SavePage(f.ctx, f.other, d.ID, 1, f.answerPage(1, 4), 2)
		wantKind(t, err, apperr.NotFound)
		_, err = f.svc.Submit(f.ctx, f.other, d.ID, nil)
		wantKind(t, err, apperr.NotFound)
		wantKind(t, f.svc.DeleteDraft(f.ctx, f.other, d.ID), apperr.NotFound)
	})

	if _, err := f.svc.SavePage(f.ctx, f.leader, d.ID, 1, f.answerPage(1, 4), 2); err != nil {
		t.Fatal(err)
	}
	// Submitting half-answered names every unanswered required item.
	_, err = f.svc.Submit(f.ctx, f.leader, d.ID, nil)
	missing := apperr.FieldsOf(err)
	want := len(response.Unanswered(f.q, f.answerPage(1, 4)))
	if len(missing) != want || missing[0].Code != "item.required" {
		t.Fatalf("Submit half-answered: %v (want %d missing items)", err, want)
	}
	// Page 1 again, changed, keeps the other pages' answers.
	for page := 2; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, f.leader, d.ID, page, f.answerPage(page, 5), page+1); err != nil {
			t.Fatal(err)
		}
	}
	sh, err := f.svc.SavePage(f.ctx, f.leader, d.ID, 1, f.answerPage(1, 3), 4)
	if err != nil || sh.Page != 4 || len(sh.Answers) != f.q.ItemCount() {
		t.Fatalf("after all pages: page %d, %d answers, %v", sh.Page, len(sh.Answers), err)
	}

	// A double click: two submits at once give one response.
	var wg sync.WaitGroup
	ids := make([]string, 2)
	for i := range ids {
		wg.Go(func() {
			r, err := f.svc.Submit(f.ctx, f.leader, d.ID, nil)
			if err != nil {
				t.Error(err)
			}
			ids[i] = r.ID
		})
	}
	wg.Wait()
	if ids[0] == "" || ids[0] != ids[1] {
		t.Fatalf("two submits gave %v", ids)
	}
	all, _ := f.svc.Responses(f.ctx, f.leader)
	if len(all) != 1 {
		t.Fatalf("%d responses, want 1", len(all))
	}
	rep, err := f.svc.Report(f.ctx, f.leader, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Response.Result.Areas[0].Score; got != 3 {
		t.Fatalf("area 1 score = %v, want 3", got)
	}
	if rep.Response.Hash != f.q.Hash || rep.Response.Version != "1.0.0" || len(rep.Response.TeamIDs) != 1 {
		t.Fatalf("response lacks its version or teams: %+v", rep.Response)
	}
	// Once answered, the round cannot be started again.
	_, err = f.svc.Start(f.ctx, f.leader, f.orgID, r.ID, "")
	wantKind(t, err, apperr.Conflict)
	_, err = f.svc.Report(f.ctx, f.other, ids[0])
	wantKind(t, err, apperr.NotFound)
}

func TestClosedRound(t *testing.T) {
	f := newFixture(t)
	r := f.round(nil)
	d, err := f.svc.Start(f.ctx, f.leader, f.orgID, r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for page := 1; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, f.leader, d.ID, page, f.answerPage(page, 4), page+1); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.CloseRound(f.ctx, f.hr, f.orgID, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Submit(f.ctx, f.leader, d.ID, nil)
	wantKind(t, err, apperr.Conflict)
	_, err = f.svc.SavePage(f.ctx, f.leader, d.ID, 1, f.answerPage(1, 2), 2)
	wantKind(t, err, apperr.Conflict)
	if all, _ := f.svc.Responses(f.ctx, f.leader); len(all) != 0 {
		t.Fatal("a closed round took a response")
	}
}

func TestPersonalAssessmentHistory(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for i, v := range []float64{2, 4} {
		d, err := f.svc.Start(f.ctx, f.outside, "", "", "tiimityo")
		if err != nil {
			t.Fatal(err)
		}
		for page := 1; page <= len(f.q.Areas); page++ {
			if _, err := f.svc.SavePage(f.ctx, f.outside, d.ID, page, f.answerPage(page, v), page+1); err != nil {
				t.Fatal(err)
			}
		}
		r, err := f.svc.Submit(f.ctx, f.outside, d.ID, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		if r.OrgID != "" || r.RoundID != "" {
			t.Fatalf("a personal response belongs to an organisation: %+v", r)
		}
		ids = append(ids, r.ID)
		time.Sleep(5 * time.Millisecond)
	}
	rep, err := f.svc.Report(f.ctx, f.outside, ids[1])
	if err != nil || rep.Previous == nil || rep.Previous.ID != ids[0] {
		t.Fatalf("the second response's previous = %+v, %v", rep.Previous, err)
	}
	if err := f.svc.SetShared(f.ctx, f.outside, ids[1], true); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("sharing a personal response: %v", err)
	}
	e, err := f.svc.Export(f.ctx, f.outside)
	if err != nil || len(e.Responses) != 2 || e.User.Email != "x@t.fi" || len(e.Roles) != 1 {
		t.Fatalf("export: %+v, %v", e, err)
	}
}

func TestConcurrentSavesLoseNothing(t *testing.T) {
	f := newFixture(t)
	d, err := f.svc.Start(f.ctx, f.leader, "", "", "tiimityo")
	if err != nil {
		t.Fatal(err)
	}
	// Every page saved at once from many goroutines (autosave in several
	// tabs): whatever the order, no page's answers are lost.
	var wg sync.WaitGroup
	for page := 1; page <= len(f.q.Areas); page++ {
		for range 4 {
			wg.Go(func() {
				if _, err := f.svc.SavePage(f.ctx, f.leader, d.ID, page, f.answerPage(page, 4), page); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	sh, err := f.svc.Draft(f.ctx, f.leader, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Draft.Answers) != f.q.ItemCount() {
		t.Fatalf("%d answers after concurrent saves, want %d", len(sh.Draft.Answers), f.q.ItemCount())
	}
	if sh.Draft.Revision != 4*len(f.q.Areas) {
		t.Fatalf("revision %d, want %d saves", sh.Draft.Revision, 4*len(f.q.Areas))
	}
}

func TestSubmittedDraftsAreHiddenThenRemoved(t *testing.T) {
	f := newFixture(t)
	d, err := f.svc.Start(f.ctx, f.outside, "", "", "tiimityo")
	if err != nil {
		t.Fatal(err)
	}
	for page := 1; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, f.outside, d.ID, page, f.answerPage(page, 3), page+1); err != nil {
			t.Fatal(err)
		}
	}
	reflection := func(*assessment.Questionnaire, int) (assessment.Answers, error) {
		return assessment.Answers{f.q.Reflections[0].ID: {Text: "Palaverikäytäntö"}}, nil
	}
	r, err := f.svc.Submit(f.ctx, f.outside, d.ID, reflection)
	if err != nil || r.Answers[f.q.Reflections[0].ID].Text != "Palaverikäytäntö" {
		t.Fatalf("submit with the last page's answers: %+v, %v", r.Answers, err)
	}
	if ds, _ := f.svc.Drafts(f.ctx, f.outside); len(ds) != 0 {
		t.Fatalf("a submitted draft is still listed: %+v", ds)
	}
	sh, err := f.svc.Draft(f.ctx, f.outside, d.ID)
	if err != nil || !sh.Submitted {
		t.Fatalf("the submitted draft: %+v, %v", sh, err)
	}
	_, err = f.svc.SavePage(f.ctx, f.outside, d.ID, 1, f.answerPage(1, 1), 2)
	wantKind(t, err, apperr.Conflict)
	// Taking the personal assessment again starts a new draft.
	again, err := f.svc.Start(f.ctx, f.outside, "", "", "tiimityo")
	if err != nil || again.ID == d.ID || len(again.Answers) != 0 {
		t.Fatalf("a new start: %+v, %v", again, err)
	}
	// The maintenance job removes what submitting left behind.
	if _, err := f.svc.Submit(f.ctx, f.outside, again.ID, nil); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("submitting an empty draft: %v", err)
	}
	d2, _ := f.svc.Start(f.ctx, f.leader, "", "", "tiimityo")
	for page := 1; page <= len(f.q.Areas); page++ {
		if _, err := f.svc.SavePage(f.ctx, f.leader, d2.ID, page, f.answerPage(page, 3), page+1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Submit(f.ctx, f.leader, d2.ID, nil); err != nil {
		t.Fatal(err)
	}
	// A draft submitted after the time given stays, so that a second
	// submission still leads to its response.
	if n, err := f.db.DeleteSubmittedDrafts(f.ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("DeleteSubmittedDrafts of an hour ago = %d, %v; want the draft just submitted kept", n, err)
	}
	if r, err := f.svc.Submit(f.ctx, f.leader, d2.ID, nil); err != nil || r.ID != d2.SubmitKey {
		t.Fatalf("submitting again after the clean-up: %+v, %v", r, err)
	}
	n, err := f.db.DeleteSubmittedDrafts(f.ctx, time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("DeleteSubmittedDrafts = %d, %v; want the one submitted draft left", n, err)
	}
	if ds, _ := f.svc.Drafts(f.ctx, f.outside); len(ds) != 1 || ds[0].ID != again.ID {
		t.Fatalf("the open draft went too: %+v", ds)
	}
}
