package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/loadgen"
	"vertaa/internal/response"
	"vertaa/internal/store"
)

// loadtestGoals are the promises a run is held to; loadtest exits 1 when
// one is broken.
type loadtestGoals struct {
	maxErrorRate        float64
	pagesP95, writesP95 time.Duration
}

// loadtest runs "vertaa loadtest": it drives the server at -url with the
// traffic of leaders and HR users at a constant arrival rate (or a series
// of rates with -steps), then reads the store back and reports every
// acknowledged submission that was lost or duplicated. It uses the demo
// network (seeded into an empty store first) and gives its users a
// password derived from the master key.
func loadtest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vertaa loadtest", flag.ContinueOnError)
	target := fs.String("url", "", "base URL of the running server (default: the -public-url or http://-addr)")
	rate := fs.Int("rate", 30, "requests per second")
	duration := fs.Duration("duration", time.Minute, "how long to hold the rate")
	stepList := fs.String("steps", "", "a step test instead: rates separated by commas, e.g. 10,25,50,100,200, each held for -duration")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit of each request")
	pid := fs.Int("pid", 0, "process id of the server, to sample its memory and CPU time (Linux)")
	reportFile := fs.String("report", "", "also write the report as JSON to this file")
	seed := fs.Uint64("seed", 1, "seed of the traffic mix")
	var goals loadtestGoals
	fs.Float64Var(&goals.maxErrorRate, "max-errors", 0.005, "largest share of requests that may fail")
	fs.DurationVar(&goals.pagesP95, "p95-pages", 300*time.Millisecond, "95th percentile goal of pages")
	fs.DurationVar(&goals.writesP95, "p95-writes", 800*time.Millisecond, "95th percentile goal of sign-ins, saves and submissions")
	cli, code := openCLI(ctx, fs, args, getenv, stderr)
	if cli == nil {
		return code
	}
	defer cli.stop()
	fail := func(err error) int {
		fmt.Fprintln(stderr, "vertaa loadtest:", oneLine(err))
		return exitFailure
	}
	steps, err := loadSteps(*stepList, *rate, *duration)
	if err != nil {
		fmt.Fprintln(stderr, "vertaa loadtest: -steps:", err)
		return exitUsage
	}
	if *target == "" {
		*target = cli.cfg.PublicURL.String()
	}

	cfg, err := prepareLoad(ctx, cli, stdout)
	if err != nil {
		return fail(err)
	}
	cfg.BaseURL, cfg.Timeout, cfg.Seed = *target, *timeout, *seed
	if *pid > 0 {
		cfg.Server = loadgen.ProcessSampler(*pid)
	}
	fmt.Fprintf(stdout, "Driving %s with %d users: %s\n", *target, len(cfg.Accounts), describeSteps(steps))
	rep, err := loadgen.Run(ctx, cfg, steps)
	if err != nil {
		return fail(err)
	}
	rep.Print(stdout)
	check, err := checkLoad(ctx, cli.db, rep)
	if err != nil {
		return fail(fmt.Errorf("reading the store back: %w", err))
	}
	check.print(stdout)
	if *reportFile != "" {
		b, _ := json.MarshalIndent(struct {
			*loadgen.Report
			Check loadCheck
		}{rep, check}, "", "  ")
		if err := os.WriteFile(*reportFile, b, 0o600); err != nil {
			return fail(err)
		}
	}
	if broken := goals.broken(rep, check); len(broken) > 0 {
		for _, b := range broken {
			fmt.Fprintln(stderr, "vertaa loadtest: goal broken:", b)
		}
		return exitFailure
	}
	return 0
}

// loadSteps reads -steps, or makes the one step of -rate.
func loadSteps(list string, rate int, d time.Duration) ([]loadgen.Step, error) {
	if d <= 0 {
		return nil, errors.New("the duration must be positive")
	}
	if list == "" {
		list = strconv.Itoa(rate)
	}
	var steps []loadgen.Step
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("%q is not a rate from 1 to 10000 requests per second", f)
		}
		steps = append(steps, loadgen.Step{Rate: n, Duration: d})
	}
	return steps, nil
}

func describeSteps(steps []loadgen.Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%d/s for %v", s.Rate, s.Duration)
	}
	return strings.Join(parts, ", then ")
}

// broken lists the goals the run did not meet.
func (g loadtestGoals) broken(rep *loadgen.Report, c loadCheck) []string {
	var out []string
	if c.Lost > 0 || c.Duplicated > 0 || c.AwardsLost > 0 {
		out = append(out, fmt.Sprintf("%d lost, %d duplicated submissions, %d lost badge offers", c.Lost, c.Duplicated, c.AwardsLost))
	}
	for _, s := range rep.Steps {
		if r := s.ErrorRate(); r > g.maxErrorRate {
			out = append(out, fmt.Sprintf("at %d/s %.2f%% of requests failed, more than %.2f%%", s.Rate, 100*r, 100*g.maxErrorRate))
		}
		if p := s.Classes[loadgen.ClassPage].P95; p > g.pagesP95 {
			out = append(out, fmt.Sprintf("at %d/s the 95th percentile of pages is %v, over %v", s.Rate, p, g.pagesP95))
		}
		if p := s.Classes[loadgen.ClassWrite].P95; p > g.writesP95 {
			out = append(out, fmt.Sprintf("at %d/s the 95th percentile of writes is %v, over %v", s.Rate, p, g.writesP95))
		}
	}
	return out
}

// loadOrgs are the organisations the load may use: the demo network's.
func loadOrgs() map[string]bool {
	names := map[string]bool{}
	for _, o := range demoOrgs {
		names[o.name] = true
	}
	return names
}

// prepareLoad returns the users of the demo network to sign in as,
// seeding the network into an empty store first. It refuses a store with
// any other organisation: a load test never touches real people. Users
// without a password get the one derived from the master key, so that a
// later run (or one after a restart) signs in with the same.
func prepareLoad(ctx context.Context, cli *cliContext, stdout io.Writer) (loadgen.Config, error) {
	orgs, err := cli.db.Orgs(ctx)
	if err != nil {
		return loadgen.Config{}, err
	}
	if len(orgs) == 0 {
		fmt.Fprintln(stdout, "The store is empty: seeding the demo network (vertaa demo) to load.")
		if _, _, err := seedDemo(ctx, cli, 1, demoLeaders); err != nil {
			return loadgen.Config{}, err
		}
		if orgs, err = cli.db.Orgs(ctx); err != nil {
			return loadgen.Config{}, err
		}
	}
	demo := loadOrgs()
	for _, o := range orgs {
		if !demo[o.Name] {
			return loadgen.Config{}, fmt.Errorf("the store holds %q, which is not of the demo network: a load test runs only on a store of its own (an empty -data-dir or VERTAA_MONGODB_DATABASE)", o.Name)
		}
	}
	master, err := loadMaster(cli.cfg, slog.New(slog.NewTextHandler(stdout, nil)))
	if err != nil {
		return loadgen.Config{}, err
	}
	mac := hmac.New(sha256.New, master.Derive("loadtest-password"))
	mac.Write([]byte("demo users"))
	password := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	hash, err := account.HashPassword(password)
	if err != nil {
		return loadgen.Config{}, err
	}
	catalog, err := loadQuestionnaires(cli.cfg.AssessmentsDir, cli.cfg.source["VERTAA_ASSESSMENTS_DIR"])
	if err != nil {
		return loadgen.Config{}, err
	}
	q, ok := catalog.Get(demoQuestionnaire)
	if !ok {
		return loadgen.Config{}, fmt.Errorf("no questionnaire %s", demoQuestionnaire)
	}
	cfg := loadgen.Config{Questionnaire: q}
	now := time.Now()
	for _, o := range orgs {
		rounds, err := cli.db.Rounds(ctx, o.ID)
		if err != nil {
			return loadgen.Config{}, err
		}
		var open, closed string
		for _, r := range rounds {
			if r.QuestionnaireID != q.ID {
				continue
			}
			if r.Opens.Before(now) && r.Closes.After(now) && open == "" {
				open = r.ID
			} else if !r.Closes.After(now) && closed == "" {
				closed = r.ID
			}
		}
		grants, err := cli.db.OrgGrants(ctx, o.ID)
		if err != nil {
			return loadgen.Config{}, err
		}
		for _, g := range grants {
			u, err := cli.db.User(ctx, g.UserID)
			if err != nil {
				return loadgen.Config{}, err
			}
			if u.PasswordHash == "" {
				if err := cli.db.SetPassword(ctx, u.ID, hash); err != nil {
					return loadgen.Config{}, err
				}
			} else if !account.CheckPassword(u.PasswordHash, password) {
				continue // someone set their own: leave them be
			}
			a := loadgen.Account{Email: u.Email, Password: password, OrgID: o.ID}
			switch g.Role {
			case account.HR:
				a.HR, a.ReportRound = true, closed
			case account.Leader:
				done, err := cli.db.Responses(ctx, u.ID)
				if err != nil {
					return loadgen.Config{}, err
				}
				if !slices.ContainsFunc(done, func(r response.Response) bool { return r.RoundID == open }) {
					a.RoundID = open
				}
			default:
				continue
			}
			cfg.Accounts = append(cfg.Accounts, a)
		}
	}
	return cfg, nil
}

// loadCheck is what reading the store back after a run found.
type loadCheck struct {
	Acked      int // submissions acknowledged
	Stored     int // of them, found in the store
	Lost       int // acknowledged, and not in the store
	Duplicated int // stored more than once, or a round answered twice
	// UnknownStored and UnknownMissing split the submissions that were
	// never acknowledged by whether the server kept them.
	UnknownStored, UnknownMissing int
	AwardsOffered, AwardsLost     int
	Problems                      []string
}

func (c loadCheck) print(w io.Writer) {
	fmt.Fprintf(w, "read back: %d acknowledged submissions, %d in the store, %d lost, %d duplicated; never acknowledged: %d kept, %d not; badge offers acknowledged %d, lost %d\n",
		c.Acked, c.Stored, c.Lost, c.Duplicated, c.UnknownStored, c.UnknownMissing, c.AwardsOffered, c.AwardsLost)
	for _, p := range c.Problems {
		fmt.Fprintln(w, "  ", p)
	}
}

// checkLoad reads back every submission of the run: each acknowledged
// response must be in the store exactly once, with its badge offer if
// the server said it made one; no leader may have answered a round
// twice; every other response the users submitted during the run must
// be one whose acknowledgement was lost (an unknown submission).
func checkLoad(ctx context.Context, db *store.Store, rep *loadgen.Report) (loadCheck, error) {
	var c loadCheck
	problem := func(format string, args ...any) {
		if len(c.Problems) < 20 {
			c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
		}
	}
	byEmail := map[string][]loadgen.Ack{}
	for _, a := range rep.Acked {
		byEmail[a.Email] = append(byEmail[a.Email], a)
	}
	unknown := map[string][]loadgen.Unknown{}
	for _, u := range rep.Unknown {
		unknown[u.Email] = append(unknown[u.Email], u)
	}
	emails := make([]string, 0, len(byEmail)+len(unknown))
	for e := range byEmail {
		emails = append(emails, e)
	}
	for e := range unknown {
		emails = append(emails, e)
	}
	slices.Sort(emails)
	emails = slices.Compact(emails)
	seen := map[string]bool{}
	for _, email := range emails {
		u, err := db.UserByEmail(ctx, email)
		if err != nil {
			return c, fmt.Errorf("%s: %w", email, err)
		}
		stored, err := db.Responses(ctx, u.ID)
		if err != nil {
			return c, err
		}
		have := map[string]int{}
		rounds := map[string]int{}
		for _, r := range stored {
			have[r.ID]++
			if r.RoundID != "" {
				rounds[r.RoundID]++
			}
		}
		for round, n := range rounds {
			if n > 1 {
				c.Duplicated += n - 1
				problem("%s answered round %s %d times", email, round, n)
			}
		}
		explained := map[string]bool{}
		for _, a := range byEmail[email] {
			c.Acked++
			if seen[a.Response] {
				continue // acknowledged twice: the same response, counted once
			}
			seen[a.Response] = true
			explained[a.Response] = true
			switch n := have[a.Response]; {
			case n == 0:
				c.Lost++
				problem("%s: acknowledged response %s is not in the store", email, a.Response)
				continue
			case n > 1:
				c.Duplicated += n - 1
			}
			c.Stored++
			if a.Badge {
				c.AwardsOffered++
				if !awarded(ctx, db, u.ID, a.Response) {
					c.AwardsLost++
					problem("%s: the badge offered for response %s is not in the store", email, a.Response)
				}
			}
		}
		for _, x := range unknown[email] {
			d, err := db.Draft(ctx, u.ID, x.Draft)
			if apperr.KindOf(err) == apperr.NotFound {
				c.UnknownMissing++
				continue
			}
			if err != nil {
				return c, err
			}
			if have[d.SubmitKey] > 0 {
				c.UnknownStored++
				explained[d.SubmitKey] = true
			} else {
				c.UnknownMissing++
			}
		}
		for _, r := range stored {
			if !r.SubmittedAt.Before(rep.Started.Add(-time.Second)) && !explained[r.ID] {
				c.Duplicated++
				problem("%s: response %s of %s was never acknowledged nor asked for", email, r.ID, r.SubmittedAt.Format(time.RFC3339))
			}
		}
	}
	for _, m := range rep.Mismatched {
		c.Duplicated++
		problem("%s", m)
	}
	return c, nil
}

// awarded reports whether the user has an award for the response (one
// per badge class it earned: award ids are made from user, class and
// response, so no award can be there twice).
func awarded(ctx context.Context, db *store.Store, userID, responseID string) bool {
	awards, err := db.Awards(ctx, userID)
	if err != nil {
		return false
	}
	n := 0
	for _, a := range awards {
		if a.Source == "response:"+responseID {
			n++
		}
	}
	return n > 0
}
