// Package loadgen drives a running vertaa server over HTTP the way its
// users do: leaders sign in, look at their home page and results, answer
// a questionnaire page by page and submit it, download their PDF report;
// HR users open their organisation's dashboard and team report.
//
// Requests start at a constant arrival rate, paced by vegeta
// (github.com/tsenart/vegeta), whatever the server's latency: a slow
// server meets more requests in flight, not fewer requests, so its
// latency is not hidden by coordinated omission. Every submission the
// server acknowledges is recorded, so that the caller can read the store
// back and count what was lost or duplicated.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"vertaa/internal/assessment"
)

// Account is someone the load signs in as.
type Account struct {
	Email, Password string
	// HR users open the dashboard of OrgID and the team report of
	// ReportRound (a closed round, or "" for none).
	HR          bool
	OrgID       string
	ReportRound string
	// RoundID is, for a leader, an open round of OrgID they have not
	// answered yet: their first assessment answers it, later ones are
	// personal.
	RoundID string
}

// Config is what a run needs.
type Config struct {
	BaseURL       string
	Accounts      []Account
	Questionnaire *assessment.Questionnaire
	// Timeout bounds each request; one that takes longer counts as an
	// error (and a submission as unknown until it is retried).
	Timeout time.Duration
	// Seed makes the choices of the mix repeatable.
	Seed uint64
	// Server, if set, is sampled every second during the run: the
	// server's resident memory and CPU time (see ProcessSampler).
	Server func() (Usage, error)
}

// Step is a constant rate held for a duration.
type Step struct {
	Rate     int
	Duration time.Duration
}

// Run drives the server through the steps, one after the other, and then
// tries once more every submission that was never acknowledged, as a
// user would press the button again. The users' state (sessions, drafts)
// carries over from step to step. Run stops early when ctx ends.
func Run(ctx context.Context, cfg Config, steps []Step) (*Report, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("server URL %q: give it as http://host:port", cfg.BaseURL)
	}
	if len(cfg.Accounts) == 0 {
		return nil, errors.New("no accounts to sign in as")
	}
	if cfg.Questionnaire == nil || len(cfg.Questionnaire.Areas) == 0 {
		return nil, errors.New("no questionnaire to answer")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	g := newGenerator(base.String(), cfg)
	warm := time.Now()
	if err := g.signInAll(ctx); err != nil {
		return nil, err
	}
	rep := &Report{Started: time.Now().UTC(), WarmUp: time.Since(warm)}
	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() { defer close(sampled); rep.Server = sample(sampleCtx, cfg.Server, rep.Started) }()

	for _, st := range steps {
		if ctx.Err() != nil {
			break
		}
		began := time.Since(rep.Started)
		sr := g.step(ctx, st)
		sr.Began, sr.Ended = began, time.Since(rep.Started)
		rep.Steps = append(rep.Steps, sr)
	}
	// The retries are made even when ctx has ended the steps.
	g.retrySubmits(context.WithoutCancel(ctx))
	stopSampling()
	<-sampled
	rep.Ended = time.Now().UTC()
	g.finish(rep)
	return rep, nil
}

// step holds one rate for its duration and returns what it measured.
func (g *generator) step(ctx context.Context, st Step) StepReport {
	atk := vegeta.NewAttacker(
		vegeta.Timeout(g.cfg.Timeout),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.KeepAlive(true),
		vegeta.MaxBody(4<<20),
	)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			atk.Stop()
		case <-done:
		}
	}()
	defer close(done)
	m := newStepMetrics(st)
	for res := range atk.Attack(g.target, vegeta.Rate{Freq: st.Rate, Per: time.Second}, st.Duration, "vertaa") {
		op := g.settle(res)
		m.add(op, res)
	}
	return m.report()
}

// kind is what a request does for its user.
type kind int

const (
	signinForm kind = iota
	signin
	home
	resultList
	resultPage
	resultPDF
	start
	viewPage
	savePage
	submit
	resubmit
	dashboard
	teamPDF
	catalogue
	signout
)

// routes names each kind's route, for the per-route figures.
var routes = [...]string{
	signinForm: "GET /signin",
	signin:     "POST /signin",
	home:       "GET /",
	resultList: "GET /results",
	resultPage: "GET /results/:id",
	resultPDF:  "GET /results/:id/report.pdf",
	start:      "POST /assess/start",
	viewPage:   "GET /assess/:draft/:page",
	savePage:   "POST /assess/:draft/:page",
	submit:     "POST /assess/:draft/submit",
	resubmit:   "POST /assess/:draft/submit (again)",
	dashboard:  "GET /orgs/:org/analytics",
	teamPDF:    "GET /orgs/:org/rounds/:round/report.pdf",
	catalogue:  "GET /badges",
	signout:    "POST /signout",
}

// Classes of requests, for the goals: pages are HTML the user waits for,
// writes store something, PDFs are reports made on request.
const (
	ClassPage  = "pages"
	ClassWrite = "writes"
	ClassPDF   = "pdf"
)

func (k kind) class() string {
	switch k {
	case signin, signout, start, savePage, submit, resubmit:
		return ClassWrite
	case resultPDF, teamPDF:
		return ClassPDF
	}
	return ClassPage
}

// user is the state of one account in the run.
type user struct {
	acct    Account
	busy    bool // a request of theirs is in flight
	cookies map[string]string
	csrf    string
	in      bool // signed in
	round   string
	draft   string // being answered, or ""
	page    int
	viewed  bool // the current page was shown
	// submitting is set from the first submit of the draft until one is
	// acknowledged; tries counts them.
	submitting bool
	tries      int
	again      string // a response id to submit the same draft for again
	responses  []string
}

// hrShare is the share of requests made by HR users.
const hrShare = 0.04

// op is one request in flight.
type op struct {
	u    *user
	kind kind
}

type generator struct {
	base   string
	cfg    Config
	client *http.Client // for requests outside the paced load
	mu     sync.Mutex
	rnd    *rand.Rand
	// users: everyone the load signs in as.
	users   []*user
	hr      []*user // the HR users among them
	pending map[uint64]op
	next    uint64
	acked   []Ack
	doubled int // submissions sent twice
	strays  []string
}

func newGenerator(base string, cfg Config) *generator {
	g := &generator{base: base, cfg: cfg, rnd: rand.New(rand.NewPCG(cfg.Seed, 0x76657274)), pending: map[uint64]op{},
		client: &http.Client{Timeout: cfg.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, a := range cfg.Accounts {
		u := &user{acct: a, cookies: map[string]string{}, round: a.RoundID}
		g.users = append(g.users, u)
		if a.HR {
			g.hr = append(g.hr, u)
		}
	}
	return g
}

// target is vegeta's Targeter: it picks a user who is not waiting for an
// answer and the next thing they do. It never fails, since a failing
// targeter would stop the attack.
func (g *generator) target(t *vegeta.Target) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var u *user
	// HR are a few among many leaders, but open their dashboard often.
	from := g.users
	if len(g.hr) > 0 && g.rnd.Float64() < hrShare {
		from = g.hr
	}
	for range 8 {
		if c := from[g.rnd.IntN(len(from))]; !c.busy {
			u = c
			break
		}
	}
	k := catalogue // everyone is waiting: a visitor looks at the badges
	if u != nil {
		k = g.choose(u)
		u.busy = true
	}
	g.next++
	g.pending[g.next] = op{u: u, kind: k}
	g.request(t, g.next, u, k)
	return nil
}

// choose picks what u does next.
func (g *generator) choose(u *user) kind {
	switch {
	case u.csrf == "":
		return signinForm
	case !u.in:
		return signin
	case u.again != "":
		return resubmit
	case u.acct.HR:
		switch x := g.rnd.Float64(); {
		case x < 0.1 && u.acct.ReportRound != "":
			return teamPDF
		case x < 0.2:
			return home
		}
		return dashboard
	case u.draft != "":
		// Most of a leader's time goes to the questionnaire once started.
		if g.rnd.Float64() < 0.85 {
			switch {
			case !u.viewed:
				return viewPage
			case u.page >= g.pages():
				return submit
			}
			return savePage
		}
	case g.rnd.Float64() < 0.35:
		return start
	}
	switch x := g.rnd.Float64(); {
	case x < 0.02:
		return signout // and so, later, signs in again
	case x < 0.15 && len(u.responses) > 0:
		return resultPDF
	case x < 0.4 && len(u.responses) > 0:
		return resultPage
	case x < 0.55:
		return resultList
	}
	return home
}

func (g *generator) pages() int { return len(g.cfg.Questionnaire.Areas) + 1 }

// request fills in t for u's next request of kind k; id is carried in the
// query string, so that the result finds its way back to the user.
func (g *generator) request(t *vegeta.Target, id uint64, u *user, k kind) {
	t.Method, t.Body = http.MethodGet, nil
	t.Header = http.Header{"Accept-Language": {"fi"}}
	var path string
	form := url.Values{}
	switch k {
	case catalogue:
		path = "/badges"
	case signinForm:
		path = "/signin"
	case signout:
		path = "/signout"
	case signin:
		path = "/signin"
		form.Set("email", u.acct.Email)
		form.Set("password", u.acct.Password)
	case home:
		path = "/"
	case resultList:
		path = "/results"
	case resultPage:
		path = "/results/" + u.responses[g.rnd.IntN(len(u.responses))]
	case resultPDF:
		path = "/results/" + u.responses[g.rnd.IntN(len(u.responses))] + "/report.pdf"
	case dashboard:
		path = "/orgs/" + u.acct.OrgID + "/analytics"
	case teamPDF:
		path = "/orgs/" + u.acct.OrgID + "/rounds/" + u.acct.ReportRound + "/report.pdf"
	case start:
		path = "/assess/start"
		if u.round != "" {
			form.Set("org", u.acct.OrgID)
			form.Set("round", u.round)
		} else {
			form.Set("questionnaire", g.cfg.Questionnaire.ID)
		}
	case viewPage:
		path = fmt.Sprintf("/assess/%s/%d", u.draft, u.page)
	case savePage:
		path = fmt.Sprintf("/assess/%s/%d", u.draft, u.page)
		g.answer(form, u.page)
		form.Set("action", "next")
	case submit:
		path = "/assess/" + u.draft + "/submit"
		g.answer(form, u.page)
	case resubmit:
		path = "/assess/" + u.draft + "/submit"
		g.answer(form, g.pages())
	}
	if k.class() == ClassWrite {
		t.Method = http.MethodPost
		form.Set("_csrf", u.csrf)
		t.Body = []byte(form.Encode())
		t.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if u != nil && len(u.cookies) > 0 {
		parts := make([]string, 0, len(u.cookies))
		for name, v := range u.cookies {
			parts = append(parts, name+"="+v)
		}
		t.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	t.URL = g.base + path + "?lt=" + strconv.FormatUint(id, 10)
}

// answer fills in the answers of a page: values on each item's scale,
// and a sentence for each reflection.
func (g *generator) answer(form url.Values, page int) {
	q := g.cfg.Questionnaire
	if page > len(q.Areas) {
		for _, r := range q.Reflections {
			form.Set("a."+r.ID, "Kuormitustestin pohdinta "+strconv.Itoa(g.rnd.IntN(1000)))
		}
		return
	}
	for _, it := range q.Areas[page-1].Items {
		sc, ok := q.Scale(it.Scale)
		if !ok || len(sc.Points) == 0 {
			form.Set("a."+it.ID, "Kuormitustesti")
			continue
		}
		// Leaders rate themselves high more often than low, so that some
		// of them earn badges.
		i := len(sc.Points) - 1 - min(g.rnd.IntN(len(sc.Points)), g.rnd.IntN(len(sc.Points)))
		form.Set("a."+it.ID, strconv.FormatFloat(sc.Points[i].Value, 'f', -1, 64))
	}
}

// settle updates the user of a finished request from its result and
// returns the request.
func (g *generator) settle(res *vegeta.Result) op {
	id, _ := strconv.ParseUint(queryOf(res.URL).Get("lt"), 10, 64)
	g.mu.Lock()
	defer g.mu.Unlock()
	o, ok := g.pending[id]
	if !ok {
		return op{kind: catalogue}
	}
	delete(g.pending, id)
	if o.u == nil {
		return o
	}
	u := o.u
	u.busy = false
	g.update(u, o.kind, res.Code, res.Headers, res.Body)
	return o
}

// update changes u's state after a request of kind k answered code.
func (g *generator) update(u *user, k kind, code uint16, h http.Header, body []byte) {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(u.cookies, c.Name)
		} else {
			u.cookies[c.Name] = c.Value
		}
	}
	loc := h.Get("Location")
	if code == http.StatusSeeOther && strings.HasPrefix(loc, "/signin") {
		u.in = false // the session ended (signed out elsewhere, or expired)
		return
	}
	switch k {
	case signinForm:
		if code == http.StatusOK {
			u.csrf = csrfToken(body)
		}
	case signin:
		u.in = code == http.StatusSeeOther
	case signout:
		u.in = u.in && code != http.StatusSeeOther
	case start:
		switch {
		case code == http.StatusSeeOther:
			if d, p, ok := draftPage(loc); ok {
				u.draft, u.page, u.viewed = d, p, false
			}
		case code == http.StatusConflict:
			u.round = "" // answered already: personal assessments from now on
		}
	case viewPage:
		u.viewed = code == http.StatusOK
	case savePage:
		if code == http.StatusSeeOther {
			if d, p, ok := draftPage(loc); ok && d == u.draft {
				u.page, u.viewed = p, false
			}
		}
	case submit:
		u.submitting = true
		u.tries++
		if id, badge, ok := resultOf(loc); code == http.StatusSeeOther && ok {
			g.acknowledge(u, id, badge)
		}
	case resubmit:
		id, _, ok := resultOf(loc)
		if code == http.StatusSeeOther && ok {
			if id != u.again {
				g.strays = append(g.strays, fmt.Sprintf("%s: draft %s submitted again gave response %s, the first gave %s", u.acct.Email, u.draft, id, u.again))
			}
			u.again, u.draft = "", ""
		}
	}
}

// acknowledge records a submission the server acknowledged, and sometimes
// has the user submit the same draft again, as a double click or a retry
// after a lost answer would.
func (g *generator) acknowledge(u *user, id string, badge bool) {
	g.acked = append(g.acked, Ack{Email: u.acct.Email, Response: id, Round: u.round, Badge: badge, Tries: u.tries})
	u.responses = append(u.responses, id)
	u.submitting, u.tries, u.round = false, 0, ""
	if g.rnd.Float64() < 0.05 {
		u.again = id
		g.doubled++
		return
	}
	u.draft = ""
}

// signInAll signs every user in before the load starts, two at a time,
// so that the steps measure people at work rather than everyone signing
// in at once. A user who cannot sign in fails the run: the accounts are
// wrong.
func (g *generator) signInAll(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(g.users))
	next := make(chan *user)
	for range 2 {
		wg.Go(func() {
			for u := range next {
				if err := g.signIn(ctx, u); err != nil {
					errs <- err
				}
			}
		})
	}
	for _, u := range g.users {
		if ctx.Err() != nil {
			break
		}
		next <- u
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}

// signIn signs u in, trying again for a while when the server does not
// answer (it may be restarting, as in the crash test); a refused password
// is an error at once.
func (g *generator) signIn(ctx context.Context, u *user) error {
	var err error
	for range 40 {
		if _, err = g.do(ctx, u, signinForm); err == nil && u.csrf != "" {
			var code int
			if code, err = g.do(ctx, u, signin); err == nil {
				switch {
				case u.in:
					return nil
				case code < http.StatusInternalServerError:
					return fmt.Errorf("%s could not sign in (%d)", u.acct.Email, code)
				}
				err = fmt.Errorf("status %d", code)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err == nil {
		err = errors.New("no form to sign in with")
	}
	return fmt.Errorf("%s could not sign in: %w", u.acct.Email, err)
}

// do sends u's request of kind k outside the paced load and updates u
// from the answer.
func (g *generator) do(ctx context.Context, u *user, k kind) (status int, err error) {
	var t vegeta.Target
	g.mu.Lock()
	g.request(&t, 0, u, k)
	g.mu.Unlock()
	req, err := t.Request()
	if err != nil {
		return 0, err
	}
	res, err := g.client.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.update(u, k, uint16(res.StatusCode), res.Header, body)
	return res.StatusCode, nil
}

// retrySubmits submits once more every draft whose submission was never
// acknowledged, one at a time, after the load has stopped.
func (g *generator) retrySubmits(ctx context.Context) {
	for _, u := range g.users {
		for _, k := range []kind{submit, resubmit} {
			if (k == submit && !u.submitting) || (k == resubmit && u.again == "") || ctx.Err() != nil {
				continue
			}
			_, _ = g.do(ctx, u, k) // an error leaves the submission unknown
		}
	}
}

// finish adds the submissions to the report.
func (g *generator) finish(rep *Report) {
	rep.Acked = g.acked
	rep.Doubled = g.doubled
	rep.Mismatched = g.strays
	for _, u := range g.users {
		if u.submitting {
			rep.Unknown = append(rep.Unknown, Unknown{Email: u.acct.Email, Draft: u.draft, Tries: u.tries})
		}
	}
}

func queryOf(raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		return url.Values{}
	}
	return u.Query()
}

// csrfToken finds the form token in a page.
func csrfToken(body []byte) string {
	const mark = `name="_csrf" value="`
	s := string(body)
	i := strings.Index(s, mark)
	if i < 0 {
		return ""
	}
	s = s[i+len(mark):]
	if j := strings.IndexByte(s, '"'); j >= 0 {
		return s[:j]
	}
	return ""
}

// draftPage reads /assess/<draft>/<page>.
func draftPage(loc string) (draft string, page int, ok bool) {
	rest, ok := strings.CutPrefix(pathOf(loc), "/assess/")
	if !ok {
		return "", 0, false
	}
	draft, p, ok := strings.Cut(rest, "/")
	page, err := strconv.Atoi(p)
	return draft, page, ok && err == nil && draft != "" && page >= 1
}

// resultOf reads /results/<id>?notice=submitted[_badge].
func resultOf(loc string) (id string, badge, ok bool) {
	id, ok = strings.CutPrefix(pathOf(loc), "/results/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false, false
	}
	return id, queryOf(loc).Get("notice") == "submitted_badge", true
}

func pathOf(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	return u.Path
}
