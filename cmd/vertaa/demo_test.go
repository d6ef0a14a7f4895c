package main

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/assessment"
	"vertaa/internal/response"
	"vertaa/internal/scoring"
	"vertaa/internal/store"
)

// demoWorld is a data folder seeded by vertaa demo, opened in this
// process with the services the server uses.
type demoWorld struct {
	db        *store.Store
	stop      func()
	accounts  *account.Service
	responses *response.Service
	admin     *account.Principal
	q         *assessment.Questionnaire
}

// runDemo runs the binary's demo command on a data folder.
func runDemo(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	return runVertaa(t, []string{"VERTAA_DATA_DIR=" + dir}, "", append([]string{"demo"}, args...)...)
}

// openDemo opens a seeded data folder; the demo's administrator acts.
func openDemo(t *testing.T, dir string) *demoWorld {
	t.Helper()
	ctx := context.Background()
	cfg := testConfig(t, "VERTAA_DATA_DIR="+dir)
	db, stop := openTestStore(t, cfg)
	catalog, err := loadQuestionnaires("", "")
	if err != nil {
		t.Fatal(err)
	}
	texts, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	w := &demoWorld{db: db, stop: stop, accounts: account.NewService(db, texts, "http://127.0.0.1:8080", func() {})}
	if w.responses, err = response.NewService(ctx, db, catalog); err != nil {
		t.Fatal(err)
	}
	w.q, _ = catalog.Get(demoQuestionnaire)
	u, err := db.UserByEmail(ctx, demoAdmin.email)
	if err != nil {
		t.Fatalf("no demo administrator: %v", err)
	}
	grants, err := db.Grants(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.admin = &account.Principal{User: u, Grants: grants}
	if !w.admin.IsAdmin() {
		t.Fatalf("%s is not an administrator", u.Email)
	}
	return w
}

// demoFigures is what a seeded network holds, in a form two networks can
// be compared by.
type demoFigures struct {
	Orgs    []string
	Members map[string]int // "org/team" -> members; "org/" -> leaders
	People  int            // users with a role in an organisation
	// Rounds maps "org/round" to "submitted/started/invited" as HR's
	// report counts them, and "org/round/team" the same per team.
	Rounds      map[string]string
	Responses   int
	Shared      int
	Reflections int
	Scores      []float64 // every response's overall score, sorted
	Audit       int
	Mail        int
}

// figures reads the network through the services and the store, and
// checks every response on the way: its scores are those its answers
// give, and it was submitted while its round was open.
func (w *demoWorld) figures(t *testing.T) demoFigures {
	t.Helper()
	ctx := context.Background()
	f := demoFigures{Members: map[string]int{}, Rounds: map[string]string{}}
	orgs, err := w.accounts.Orgs(ctx, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	scorer := scoring.New(w.q)
	for _, o := range orgs {
		f.Orgs = append(f.Orgs, o.Name)
		people, err := w.accounts.People(ctx, w.admin, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.People += len(people)
		teams, err := w.accounts.Teams(ctx, w.admin, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range teams {
			f.Members[o.Name+"/"+tm.Name] = 0
		}
		for _, p := range people {
			if slices.Contains(p.Roles, account.Leader) {
				f.Members[o.Name+"/"]++
			}
			for _, tm := range p.Teams {
				f.Members[o.Name+"/"+tm.Name]++
			}
		}
		rounds, err := w.responses.Rounds(ctx, w.admin, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rounds {
			rep, err := w.responses.RoundReport(ctx, w.admin, o.ID, r.ID, analytics.DefaultThreshold)
			if err != nil {
				t.Fatal(err)
			}
			key := o.Name + "/" + r.Name
			row := rep.Summary.Org
			f.Rounds[key] = fmt.Sprintf("%d/%d/%d", row.Submitted, row.Started, row.Invited)
			for _, tr := range rep.Summary.Teams {
				f.Rounds[key+"/"+tr.Name] = fmt.Sprintf("%d/%d/%d", tr.Submitted, tr.Started, tr.Invited)
			}
			rs, err := w.db.RoundResponses(ctx, o.ID, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != row.Submitted {
				t.Errorf("%s: %d responses, but HR's report (the round's rollup) counts %d", key, len(rs), row.Submitted)
			}
			for _, x := range rs {
				f.Responses++
				if x.Shared {
					f.Shared++
				}
				for _, ref := range w.q.Reflections {
					if x.Answers[ref.ID].Text != "" {
						f.Reflections++
					}
				}
				want, err := scorer.Score(x.Answers)
				if err != nil {
					t.Fatalf("%s: response %s does not score: %v", key, x.ID, err)
				}
				if !x.Result.Overall.Enough || x.Result.Overall.Score < w.q.Scoring.Min || x.Result.Overall.Score > w.q.Scoring.Max ||
					x.Result.Overall.Level == "" || !reflect.DeepEqual(x.Result.Overall, want.Overall) || !reflect.DeepEqual(x.Result.Areas, want.Areas) {
					t.Errorf("%s: response %s has the scores %+v, its answers give %+v", key, x.ID, x.Result.Overall, want.Overall)
				}
				if x.SubmittedAt.Before(r.Opens) || !x.SubmittedAt.Before(r.Closes) {
					t.Errorf("%s: submitted at %v, outside the round %v to %v", key, x.SubmittedAt, r.Opens, r.Closes)
				}
				f.Scores = append(f.Scores, math.Round(x.Result.Overall.Score*1e6)/1e6)
			}
		}
	}
	slices.Sort(f.Orgs)
	slices.Sort(f.Scores)
	events, err := w.db.AuditEvents(ctx, "", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	f.Audit = len(events)
	mail, err := w.db.RecentMail(ctx, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	f.Mail = len(mail)
	return f
}

var demoLinkLine = regexp.MustCompile(`(?m)^    http://[^/\s]+/password/[A-Za-z0-9_-]{43}$`)

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runDemo(t, dir, "-leaders", "100")
	if code != 0 {
		t.Fatalf("vertaa demo: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("%s", out)
	if n := len(demoLinkLine.FindAllString(out, -1)); n != 1+len(demoOrgs) {
		t.Errorf("%d password links printed, want one for the administrator and one per HR user:\n%s", n, out)
	}
	if !strings.Contains(out, "In all 3 organisations, 12 teams, 100 leaders;") {
		t.Errorf("no summary line:\n%s", out)
	}

	w := openDemo(t, dir)
	ctx := context.Background()
	f := w.figures(t)
	t.Run("organisations and teams", func(t *testing.T) {
		var names []string
		teams := 0
		for _, o := range demoOrgs {
			names = append(names, o.name)
			for _, tm := range o.teams {
				teams++
				if n, ok := f.Members[o.name+"/"+tm.name]; !ok || n == 0 || tm.size > 0 && n != tm.size {
					t.Errorf("team %s/%s has %d members (exists: %v), want %v", o.name, tm.name, n, ok, max(tm.size, 1))
				}
			}
		}
		slices.Sort(names)
		if !slices.Equal(f.Orgs, names) {
			t.Fatalf("organisations %q, want %q", f.Orgs, names)
		}
		if len(f.Members)-len(demoOrgs) != teams {
			t.Errorf("%d teams, want %d", len(f.Members)-len(demoOrgs), teams)
		}
		leaders := 0
		for _, o := range demoOrgs {
			leaders += f.Members[o.name+"/"]
		}
		if leaders != 100 || f.People != 100+len(demoOrgs) {
			t.Errorf("%d leaders and %d people with roles, want 100 leaders and one HR per organisation", leaders, f.People)
		}
	})
	t.Run("two rounds per organisation", func(t *testing.T) {
		orgs, _ := w.accounts.Orgs(ctx, w.admin)
		for _, o := range orgs {
			rounds, err := w.responses.Rounds(ctx, w.admin, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			if len(rounds) != 2 || !rounds[0].IsOpen(now) || rounds[1].IsOpen(now) || !rounds[1].Opens.Before(rounds[0].Opens) {
				t.Fatalf("%s: rounds %+v, want a current round and a closed earlier one", o.Name, rounds)
			}
			for _, r := range rounds {
				if r.QuestionnaireID != demoQuestionnaire || len(r.TeamIDs) != 0 {
					t.Errorf("%s: round %s asks %s of teams %v, want %s of the whole organisation", o.Name, r.Name, r.QuestionnaireID, r.TeamIDs, demoQuestionnaire)
				}
			}
		}
	})
	t.Run("responses", func(t *testing.T) {
		// About 80 % answer the first round and 70 % the second.
		if f.Responses < 120 || f.Responses > 175 {
			t.Errorf("%d responses from 100 leaders in two rounds", f.Responses)
		}
		if f.Shared == 0 || f.Shared == f.Responses || f.Reflections == 0 {
			t.Errorf("%d of %d responses shared, %d reflections written", f.Shared, f.Responses, f.Reflections)
		}
		drafts, submitted := 0, 0
		small := false
		for key, v := range f.Rounds {
			var s, st, inv int
			fmt.Sscanf(v, "%d/%d/%d", &s, &st, &inv)
			if strings.Count(key, "/") == 1 {
				drafts += st
				submitted += s
				if s == 0 || s >= inv {
					t.Errorf("%s: %s submitted/started/invited, want most but not all to answer", key, v)
				}
			} else if s > 0 && s < analytics.DefaultThreshold {
				small = true
			}
		}
		if drafts == 0 || submitted != f.Responses {
			t.Errorf("%d drafts only started, %d submitted of %d responses", drafts, submitted, f.Responses)
		}
		if !small {
			t.Errorf("no team has fewer respondents than the anonymity threshold: %v", f.Rounds)
		}
		// The small team's figures are hidden from HR.
		orgs, _ := w.accounts.Orgs(ctx, w.admin)
		for _, o := range orgs {
			rounds, _ := w.responses.Rounds(ctx, w.admin, o.ID)
			for _, r := range rounds {
				rep, err := w.responses.RoundReport(ctx, w.admin, o.ID, r.ID, analytics.DefaultThreshold)
				if err != nil {
					t.Fatal(err)
				}
				for _, tr := range rep.Summary.Teams {
					if tr.Submitted < analytics.DefaultThreshold && tr.Overall.Hidden == analytics.Shown {
						t.Errorf("%s/%s/%s: %d respondents shown", o.Name, r.Name, tr.Name, tr.Submitted)
					}
				}
			}
		}
	})

	t.Run("a second run is refused and changes nothing", func(t *testing.T) {
		w.stop()
		code, out, errOut := runDemo(t, dir, "-leaders", "100")
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitUsage || out != "" || len(lines) != 1 || !strings.Contains(lines[0], "already holds 3 organisations") {
			t.Fatalf("second run: exit %d, stdout %q, stderr %q; want 2 and one line", code, out, errOut)
		}
		again := openDemo(t, dir).figures(t)
		if !reflect.DeepEqual(again, f) {
			t.Fatalf("the refused run changed the store:\nbefore %+v\nafter  %+v", f, again)
		}
	})
}

func TestDemoSameSeed(t *testing.T) {
	var figures []demoFigures
	for range 2 {
		dir := t.TempDir()
		if code, out, errOut := runDemo(t, dir, "-leaders", "30", "-seed", "7"); code != 0 {
			t.Fatalf("vertaa demo: exit %d\n%s%s", code, out, errOut)
		}
		w := openDemo(t, dir)
		figures = append(figures, w.figures(t))
		w.stop()
	}
	if !reflect.DeepEqual(figures[0], figures[1]) {
		t.Fatalf("one seed gave two networks:\n%+v\n%+v", figures[0], figures[1])
	}
}

func TestDemoPlan(t *testing.T) {
	q := demoTestQuestionnaire(t)
	a, b := newDemoPlan(1, demoLeaders, q), newDemoPlan(1, demoLeaders, q)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("one seed gave two plans")
	}
	if reflect.DeepEqual(a, newDemoPlan(2, demoLeaders, q)) {
		t.Fatal("two seeds gave one plan")
	}
	var leaders, inTwo, inNone, submitted, started, na int
	emails := map[string]bool{}
	var sum [2][]float64
	var count [2]int
	for r := range sum {
		sum[r] = make([]float64, len(q.Areas))
	}
	letters := false
	for _, o := range a.orgs {
		for _, l := range o.leaders {
			leaders++
			switch len(l.teams) {
			case 0:
				inNone++
			case 2:
				inTwo++
			}
			if emails[l.email] {
				t.Errorf("two leaders have the address %s", l.email)
			}
			emails[l.email] = true
			letters = letters || strings.ContainsAny(l.name, "äöåÄÖÅ")
			for r, round := range l.rounds {
				switch round.take {
				case demoSubmitted:
					submitted++
				case demoStarted:
					started++
				}
				for _, page := range round.pages {
					for _, ans := range page {
						if ans.NA {
							na++
						}
					}
				}
				if round.take == demoSubmitted {
					res, err := scoring.New(q).Score(demoAnswers(round))
					if err != nil || !res.Overall.Enough {
						t.Fatalf("a planned response does not score: %v %+v", err, res.Overall)
					}
					count[r]++
					for i, ar := range res.Areas {
						sum[r][i] += ar.Score
					}
				}
			}
		}
	}
	if leaders != demoLeaders || inTwo == 0 || inNone == 0 || started == 0 || na == 0 {
		t.Errorf("%d leaders, %d in two teams, %d in none, %d drafts, %d not-applicable answers", leaders, inTwo, inNone, started, na)
	}
	if rate := float64(submitted) / float64(2*leaders); rate < 0.65 || rate > 0.85 {
		t.Errorf("%.2f of the leaders submit", rate)
	}
	if !letters {
		t.Error("no leader's name has ä, ö or å")
	}
	lo, hi, gain := math.Inf(1), math.Inf(-1), 0.0
	for i := range q.Areas {
		first, second := sum[0][i]/float64(count[0]), sum[1][i]/float64(count[1])
		lo, hi, gain = min(lo, first), max(hi, first), max(gain, second-first)
	}
	if lo < 2.5 || hi > 4 || hi-lo < 0.1 || gain < 0.1 {
		t.Errorf("area means of the first round from %.2f to %.2f, best gain %.2f; want plausible, varied and some better the second time", lo, hi, gain)
	}
}

// demoAnswers puts a planned response's pages together.
func demoAnswers(r demoRound) assessment.Answers {
	all := assessment.Answers{}
	for _, page := range append(r.pages, r.reflections) {
		for id, a := range page {
			all[id] = a
		}
	}
	return all
}

func demoTestQuestionnaire(t *testing.T) *assessment.Questionnaire {
	t.Helper()
	catalog, err := loadQuestionnaires("", "")
	if err != nil {
		t.Fatal(err)
	}
	q, ok := catalog.Get(demoQuestionnaire)
	if !ok {
		t.Fatal("no questionnaire " + demoQuestionnaire)
	}
	return q
}
