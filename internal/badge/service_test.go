package badge_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/badges"
	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/badge"
	"vertaa/internal/i18n"
	"vertaa/internal/keyring"
	"vertaa/internal/mail"
	"vertaa/internal/openbadges"
	"vertaa/internal/response"
	"vertaa/internal/scoring"
	"vertaa/internal/statuslist"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
	"vertaa/web"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// seamStore is the real store with two seams for tests: status entries
// are shifted by base, and afterRead, when set, runs after the revoked
// entries of a status list have been read and before they are returned.
type seamStore struct {
	*store.Store
	base      int
	afterRead atomic.Pointer[func()]
}

func (s *seamStore) NextStatusEntry(ctx context.Context) (int, error) {
	n, err := s.Store.NextStatusEntry(ctx)
	return s.base + n, err
}

func (s *seamStore) RevokedIndexes(ctx context.Context, list int) ([]int, error) {
	idx, err := s.Store.RevokedIndexes(ctx, list)
	if f := s.afterRead.Load(); f != nil {
		(*f)()
	}
	return idx, err
}

// env is the badge service as the server wires it, on a fresh database.
type env struct {
	t       *testing.T
	ctx     context.Context
	db      *store.Store
	seams   *seamStore
	svc     *badge.Service
	classes *badge.Catalog
	texts   *i18n.Catalog
	site    openbadges.Site
	q       *assessment.Questionnaire // johtamisosaaminen, that the area badges are earned from
	other   *assessment.Questionnaire // tiimityo, that earns nothing
	orgA    string
	orgB    string
	n       int // responses and people made so far
}

const (
	networkBadge = "verkostojen-rakentaja" // earned from area verkostot; endorses peer coaches
	networkArea  = "verkostot"
	coachBadge   = "vertaisvalmentaja" // earned by application
)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	catalog := assessmenttest.Shipped(t)
	db := storetest.NewWithSchema(t)
	sub, err := fs.Sub(web.Locales, "locales")
	if err != nil {
		t.Fatal(err)
	}
	texts, err := i18n.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	master, err := keyring.New(keyring.NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	defs, err := response.NewService(ctx, db, catalog)
	if err != nil {
		t.Fatal(err)
	}
	classes, err := badge.Load(badges.FS, "badges", catalog)
	if err != nil {
		t.Fatal(err)
	}
	site := openbadges.NewSite("https://vertaa.example.fi")
	keys, _, err := openbadges.LoadKeys(ctx, db, master, site)
	if err != nil {
		t.Fatal(err)
	}
	seams := &seamStore{Store: db}
	svc, err := badge.NewService(badge.Config{Store: seams, Classes: classes, Questionnaires: catalog, Definitions: defs,
		Site: site, Keys: keys, Texts: texts, IDKey: master.Derive("award-id"),
		Issuer: openbadges.Issuer{Name: "Ammattiopistojen johtamisverkosto", URL: site.Base, Email: "verkosto@example.fi"}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, db: db, seams: seams, svc: svc, classes: classes, texts: texts, site: site}
	e.q, _ = catalog.Get("johtamisosaaminen")
	e.other, _ = catalog.Get("tiimityo")
	if e.q == nil || e.other == nil {
		t.Fatal("the shipped questionnaires are missing")
	}
	orgA, err := db.CreateOrg(ctx, account.Organisation{Name: "Opisto A", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	orgB, err := db.CreateOrg(ctx, account.Organisation{Name: "Opisto B", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	e.orgA, e.orgB = orgA.ID, orgB.ID
	return e
}

// class returns a badge class of this env's catalog, which a test may
// change.
func (e *env) class(id string) *badge.Class {
	e.t.Helper()
	cl, ok := e.classes.Get(id)
	if !ok {
		e.t.Fatalf("no badge class %s", id)
	}
	return cl
}

// person stores a new user and returns them signed in with the roles.
func (e *env) person(roles ...account.Grant) *account.Principal {
	e.t.Helper()
	e.n++
	u, err := e.db.CreateUser(e.ctx, account.User{Email: fmt.Sprintf("user%d@example.fi", e.n),
		Name: fmt.Sprintf("Käyttäjä %d", e.n), Lang: "fi", CreatedAt: time.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	p := &account.Principal{User: u}
	for _, g := range roles {
		g.UserID = u.ID
		p.Grants = append(p.Grants, g)
	}
	return p
}

func leaderIn(orgID string) account.Grant { return account.Grant{Role: account.Leader, OrgID: orgID} }
func hrIn(orgID string) account.Grant     { return account.Grant{Role: account.HR, OrgID: orgID} }
func adminRole() account.Grant            { return account.Grant{Role: account.Admin} }

// result scores answers to q that give each listed area the score v (an
// answer of v to every scored item, reversed where the item is) and every
// other area the score rest.
func (e *env) result(q *assessment.Questionnaire, rest float64, areas map[string]float64) scoring.Result {
	e.t.Helper()
	answers := assessment.Answers{}
	for _, a := range q.Areas {
		v, ok := areas[a.ID]
		if !ok {
			v = rest
		}
		for _, it := range a.Items {
			if !it.Scored() {
				continue
			}
			sc, ok := q.Scale(it.Scale)
			if !ok {
				e.t.Fatalf("item %s: no scale %s", it.ID, it.Scale)
			}
			value := v
			if it.Reverse {
				lo, hi := sc.Range()
				value = lo + hi - v
			}
			answers[it.ID] = assessment.Answer{Value: value}
		}
	}
	r, err := scoring.New(q).Score(answers)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// submission is a new response of q's with the result.
func (e *env) submission(q *assessment.Questionnaire, r scoring.Result) badge.Submission {
	e.n++
	return badge.Submission{ResponseID: fmt.Sprintf("response%d", e.n), OrgID: e.orgA, Questionnaire: q, Result: r,
		SubmittedAt: time.Now().UTC()}
}

// networkResult earns the network badge only: verkostot at edistynyt, the
// other areas at osaava, overall above 3.
func (e *env) networkResult() scoring.Result {
	return e.result(e.q, 3, map[string]float64{networkArea: 4})
}

// earn offers p the network badge from a new response and returns it.
func (e *env) earn(p *account.Principal) badge.Award {
	e.t.Helper()
	got, err := e.svc.EvaluateResponse(e.ctx, p, e.submission(e.q, e.networkResult()))
	if err != nil || len(got) != 1 || got[0].ClassID != networkBadge {
		e.t.Fatalf("offering the network badge: %+v, %v", got, err)
	}
	return got[0]
}

// hold offers p the network badge and accepts it.
func (e *env) hold(p *account.Principal) badge.Award {
	e.t.Helper()
	a, err := e.svc.Accept(e.ctx, p, e.earn(p).ID, badge.AcceptInput{Name: p.User.Name})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// expire moves an award's end of validity into the past.
func (e *env) expire(id string) {
	e.t.Helper()
	a, err := e.db.Award(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	a.ValidUntil = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	if _, err := e.db.UpdateAward(e.ctx, a); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) award(id string) badge.Award {
	e.t.Helper()
	a, err := e.db.Award(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) application(id string) badge.Application {
	e.t.Helper()
	a, err := e.db.Application(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// mails returns the messages queued for an address with the subject of
// the text key "mail.<key>.subject" in Finnish.
func (e *env) mails(addr, key string) []mail.Message {
	e.t.Helper()
	msgs, err := e.db.RecentMail(e.ctx, 500)
	if err != nil {
		e.t.Fatal(err)
	}
	subject := e.texts.T(i18n.FI, "mail."+key+".subject")
	return slices.DeleteFunc(msgs, func(m mail.Message) bool { return m.To != addr || m.Subject != subject })
}

func (e *env) mailTo(addr, key string) int { return len(e.mails(addr, key)) }

func wantErr(t *testing.T, err error, kind apperr.Kind, key string, fields ...apperr.FieldError) {
	t.Helper()
	if got := apperr.KindOf(err); err == nil || got != kind {
		t.Fatalf("got %v (%v), want %v", err, got, kind)
	}
	if key != "" && apperr.KeyOf(err) != key {
		t.Fatalf("got key %q, want %q (%v)", apperr.KeyOf(err), key, err)
	}
	if got := apperr.FieldsOf(err); !slices.Equal(got, fields) {
		t.Fatalf("got fields %v, want %v", got, fields)
	}
}

// credentialDoc is what the tests read of a signed credential.
type credentialDoc struct {
	ID                string `json:"id"`
	ValidFrom         string `json:"validFrom"`
	ValidUntil        string `json:"validUntil"`
	CredentialSubject struct {
		Name   string `json:"name"`
		Result []struct {
			AchievedLevel string `json:"achievedLevel"`
		} `json:"result"`
	} `json:"credentialSubject"`
	Evidence []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Narrative string `json:"narrative"`
	} `json:"evidence"`
	CredentialStatus struct {
		StatusListIndex      string `json:"statusListIndex"`
		StatusListCredential string `json:"statusListCredential"`
	} `json:"credentialStatus"`
}

// payload returns the decoded payload of a JWT.
func payload(t *testing.T, token string) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func decodeCredential(t *testing.T, token string) credentialDoc {
	t.Helper()
	var c credentialDoc
	if err := json.Unmarshal(payload(t, token), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func classIDs(awards []badge.Award) []string {
	var ids []string
	for _, a := range awards {
		ids = append(ids, a.ClassID)
	}
	slices.Sort(ids)
	return ids
}

// TestEvaluateResponseOffers checks which badges a result earns and what
// the offer records.
func TestEvaluateResponseOffers(t *testing.T) {
	for name, tc := range map[string]struct {
		other  bool // a response to tiimityo rather than johtamisosaaminen
		rest   float64
		areas  map[string]float64
		levels map[string]string // class id -> level recorded
	}{
		"every area low":              {rest: 2},
		"every area osaava":           {rest: 3},
		"one area edistynyt":          {rest: 3, areas: map[string]float64{networkArea: 4}, levels: map[string]string{networkBadge: "edistynyt"}},
		"one area high, overall low":  {rest: 2, areas: map[string]float64{networkArea: 5}},
		"another questionnaire, high": {other: true, rest: 5},
		"two areas edellakavija": {rest: 3, areas: map[string]float64{"pedagoginen-johtaminen": 5, "itsensa-johtaminen": 5},
			levels: map[string]string{"pedagoginen-johtaja": "edellakavija", "itsensa-johtaja": "edellakavija"}},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := e.person(leaderIn(e.orgA))
			q := e.q
			if tc.other {
				q = e.other
			}
			r := e.result(q, tc.rest, tc.areas)
			sub := e.submission(q, r)
			got, err := e.svc.EvaluateResponse(e.ctx, p, sub)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for id := range tc.levels {
				want = append(want, id)
			}
			slices.Sort(want)
			if !slices.Equal(classIDs(got), want) {
				t.Fatalf("offered %v for areas %+v, overall %+v; want %v", classIDs(got), r.Areas, r.Overall, want)
			}
			for _, a := range got {
				if a.Level != tc.levels[a.ClassID] || a.State != badge.Offered || a.UserID != p.User.ID || a.OrgID != e.orgA ||
					a.Source != "response:"+sub.ResponseID || a.QuestionnaireHash != q.Hash || a.ID == "" {
					t.Errorf("award %+v", a)
				}
				if a.Level == r.Overall.Level {
					t.Errorf("%s: the fixture should make the area's level (%s) differ from the overall level", a.ClassID, a.Level)
				}
				// The area's evidence and the overall result, both public
				// until the earner chooses.
				if len(a.Evidence) != 2 || !a.Evidence[0].Public || !a.Evidence[1].Public ||
					!strings.Contains(a.Evidence[0].Narrative, sub.SubmittedAt.Format("2006-01-02")) {
					t.Errorf("evidence %+v", a.Evidence)
				}
			}
			stored, err := e.db.Awards(e.ctx, p.User.ID)
			if err != nil || !slices.Equal(classIDs(stored), want) {
				t.Fatalf("stored %v, %v; want %v", classIDs(stored), err, want)
			}
			// One e-mail names every badge offered.
			msgs := e.mails(p.User.Email, "badge_offered")
			if len(want) == 0 && len(msgs) != 0 || len(want) > 0 && len(msgs) != 1 {
				t.Fatalf("%d e-mails about %d offered badges", len(msgs), len(want))
			}
			for _, id := range want {
				if name := e.class(id).NameIn("fi"); !strings.Contains(msgs[0].Text, name) {
					t.Errorf("the e-mail does not name %s:\n%s", name, msgs[0].Text)
				}
			}
		})
	}
}

// TestEvaluateResponseOnce: a badge is offered once per response, not
// again while it is offered or held, and again after the earner declined
// it or it expired.
func TestEvaluateResponseOnce(t *testing.T) {
	e := newEnv(t)
	p := e.person(leaderIn(e.orgA))
	evaluate := func(sub badge.Submission) []badge.Award {
		t.Helper()
		got, err := e.svc.EvaluateResponse(e.ctx, p, sub)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	stored := func(want int) []badge.Award {
		t.Helper()
		all, err := e.db.Awards(e.ctx, p.User.ID)
		if err != nil || len(all) != want {
			t.Fatalf("%d awards stored (%v), want %d", len(all), err, want)
		}
		if n := e.mailTo(p.User.Email, "badge_offered"); n != want {
			t.Fatalf("%d offer e-mails, want %d", n, want)
		}
		return all
	}

	first := e.submission(e.q, e.networkResult())
	got := evaluate(first)
	if len(got) != 1 {
		t.Fatalf("offered %v", classIDs(got))
	}
	offered := got[0]
	// The same response again, and a new one while the badge is offered.
	if got := evaluate(first); len(got) != 0 {
		t.Fatalf("the same response again offered %+v", got)
	}
	if got := evaluate(e.submission(e.q, e.networkResult())); len(got) != 0 {
		t.Fatalf("a new response offered %+v while the badge is offered", got)
	}
	stored(1)

	// Declined: the same response still offers nothing, for the award of
	// a response is the same award; a new response offers the badge again.
	if err := e.svc.Decline(e.ctx, p, offered.ID); err != nil {
		t.Fatal(err)
	}
	if got := evaluate(first); slices.ContainsFunc(got, func(a badge.Award) bool { return a.State == badge.Offered || a.ID != offered.ID }) {
		t.Fatalf("the declined response offered %+v again", got)
	}
	if a := e.award(offered.ID); a.State != badge.Declined {
		t.Fatalf("the declined award is now %s", a.State)
	}
	stored(1)
	second := e.submission(e.q, e.networkResult())
	got = evaluate(second)
	if len(got) != 1 || got[0].ID == offered.ID || got[0].Source != "response:"+second.ResponseID || got[0].State != badge.Offered {
		t.Fatalf("after declining, a new response offered %+v", got)
	}
	stored(2)

	// Held: nothing; expired: offered again.
	held, err := e.svc.Accept(e.ctx, p, got[0].ID, badge.AcceptInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := evaluate(e.submission(e.q, e.networkResult())); len(got) != 0 {
		t.Fatalf("offered %+v while the badge is held", got)
	}
	stored(2)
	e.expire(held.ID)
	third := e.submission(e.q, e.networkResult())
	got = evaluate(third)
	if len(got) != 1 || got[0].ID == held.ID || got[0].ID == offered.ID || got[0].Source != "response:"+third.ResponseID {
		t.Fatalf("after the badge expired, a new response offered %+v", got)
	}
	stored(3)
}

// TestAcceptRefusals: only the earner accepts, only an offered badge, and
// a name of at most account.MaxNameLength characters.
func TestAcceptRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		actor  string // "owner", "other" or "admin"
		before string // "", "accept" or "decline"
		name   string
		kind   apperr.Kind
		key    string
		fields []apperr.FieldError
	}{
		"another user":  {actor: "other", kind: apperr.NotFound},
		"administrator": {actor: "admin", kind: apperr.NotFound},
		"accepted":      {actor: "owner", before: "accept", kind: apperr.Conflict, key: "badge.not_offered"},
		"declined":      {actor: "owner", before: "decline", kind: apperr.Conflict, key: "badge.not_offered"},
		"name too long": {actor: "owner", name: strings.Repeat("ä", account.MaxNameLength+1), kind: apperr.Invalid,
			fields: []apperr.FieldError{{Field: "name", Code: "name.too_long"}}},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			owner := e.person(leaderIn(e.orgA))
			a := e.earn(owner)
			switch tc.before {
			case "accept":
				if _, err := e.svc.Accept(e.ctx, owner, a.ID, badge.AcceptInput{}); err != nil {
					t.Fatal(err)
				}
			case "decline":
				if err := e.svc.Decline(e.ctx, owner, a.ID); err != nil {
					t.Fatal(err)
				}
			}
			actor := map[string]*account.Principal{"owner": owner, "other": e.person(leaderIn(e.orgA)), "admin": e.person(adminRole())}[tc.actor]
			before := e.award(a.ID)
			_, err := e.svc.Accept(e.ctx, actor, a.ID, badge.AcceptInput{Name: tc.name, Public: []int{0}})
			wantErr(t, err, tc.kind, tc.key, tc.fields...)
			if after := e.award(a.ID); after.Revision != before.Revision || after.State != before.State {
				t.Fatalf("a refused accept changed the award: %+v", after)
			}
		})
	}
}

// TestAccept checks what accepting records and signs.
func TestAccept(t *testing.T) {
	e := newEnv(t)
	owner := e.person(leaderIn(e.orgA))
	offered := e.earn(owner)
	if len(offered.Evidence) != 2 {
		t.Fatalf("evidence %+v", offered.Evidence)
	}
	// 103 characters as typed, 100 after the spaces are tidied; twice as
	// many bytes.
	name := " Ää  " + strings.Repeat("ö", 97) + " "
	wantName := "Ää " + strings.Repeat("ö", 97)
	start := time.Now().Truncate(time.Second)
	a, err := e.svc.Accept(e.ctx, owner, offered.ID, badge.AcceptInput{Name: name, Public: []int{1, 2, -1}})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	if a.State != badge.Accepted || a.Name != wantName || a.Email != owner.User.Email || a.Lang != "fi" || a.Salt == "" ||
		!strings.HasPrefix(a.SubjectID, "urn:uuid:") || a.Credential == "" {
		t.Fatalf("accepted %+v", a)
	}
	if a.AcceptedAt.Before(start) || a.AcceptedAt.After(end) || !a.AcceptedAt.Equal(a.AcceptedAt.Truncate(time.Second)) {
		t.Fatalf("accepted at %v, not the second between %v and %v", a.AcceptedAt, start, end)
	}
	months := e.class(networkBadge).ValidMonths
	if months == 0 || !a.ValidUntil.Equal(a.AcceptedAt.AddDate(0, months, 0)) {
		t.Fatalf("valid until %v, want %d months after %v", a.ValidUntil, months, a.AcceptedAt)
	}
	if a.Evidence[0].Public || !a.Evidence[1].Public {
		t.Fatalf("public evidence %+v, want the second only", a.Evidence)
	}
	if stored := e.award(a.ID); stored.Credential != a.Credential || stored.State != badge.Accepted || stored.Evidence[0].Public ||
		!stored.ValidUntil.Equal(a.ValidUntil) || stored.StatusList != a.StatusList || stored.StatusIndex != a.StatusIndex {
		t.Fatalf("stored %+v, returned %+v", stored, a)
	}

	// The credential: the chosen name, only the chosen evidence, the
	// level, validity and status entry; no plain e-mail address.
	raw := payload(t, a.Credential)
	c := decodeCredential(t, a.Credential)
	if c.ID != e.site.Award(a.ID) || c.CredentialSubject.Name != wantName ||
		c.ValidFrom != a.AcceptedAt.Format(time.RFC3339) || c.ValidUntil != a.ValidUntil.Format(time.RFC3339) {
		t.Fatalf("credential %s", raw)
	}
	if len(c.Evidence) != 1 || c.Evidence[0].Name != a.Evidence[1].Name || c.Evidence[0].Narrative != a.Evidence[1].Narrative {
		t.Fatalf("credential evidence %+v, want only %+v", c.Evidence, a.Evidence[1])
	}
	if strings.Contains(string(raw), a.Evidence[0].Narrative) || strings.Contains(string(raw), owner.User.Email) {
		t.Fatalf("the credential holds private evidence or the e-mail address: %s", raw)
	}
	if len(c.CredentialSubject.Result) != 1 || !strings.HasSuffix(c.CredentialSubject.Result[0].AchievedLevel, "#level-edistynyt") {
		t.Fatalf("result %+v", c.CredentialSubject.Result)
	}
	if c.CredentialStatus.StatusListCredential != e.site.StatusListURL(a.StatusList) || c.CredentialStatus.StatusListIndex != fmt.Sprint(a.StatusIndex) {
		t.Fatalf("status %+v, award on list %d at %d", c.CredentialStatus, a.StatusList, a.StatusIndex)
	}

	// It verifies, for the owner's address in any case, not for another.
	for _, tc := range []struct {
		email   string
		valid   bool
		outcome openbadges.Outcome
		code    string
	}{
		{"", true, openbadges.Skipped, "no_email"},
		{strings.ToUpper(owner.User.Email), true, openbadges.Passed, "ok"},
		{"someone@example.fi", false, openbadges.Failed, "email_mismatch"},
	} {
		r := e.svc.Verifier().Verify(e.ctx, a.Credential, tc.email)
		rc := r.Check(openbadges.CheckRecipient)
		if r.Valid != tc.valid || rc.Outcome != tc.outcome || rc.Code != tc.code {
			t.Errorf("email %q: valid %v, recipient %+v", tc.email, r.Valid, rc)
		}
		for _, n := range []openbadges.CheckName{openbadges.CheckFormat, openbadges.CheckKey, openbadges.CheckSignature,
			openbadges.CheckClaims, openbadges.CheckValidity, openbadges.CheckStatus} {
			if r.Check(n).Outcome != openbadges.Passed {
				t.Errorf("email %q: %+v", tc.email, r.Check(n))
			}
		}
	}
}

// TestAcceptStatusEntries: every accepted badge gets an entry of its own,
// on the list and at the index its status entry number gives.
func TestAcceptStatusEntries(t *testing.T) {
	e := newEnv(t)
	accept := func() badge.Award {
		t.Helper()
		p := e.person(leaderIn(e.orgA))
		a, err := e.svc.Accept(e.ctx, p, e.earn(p).ID, badge.AcceptInput{})
		if err != nil {
			t.Fatal(err)
		}
		if r := e.svc.Verifier().Verify(e.ctx, a.Credential, ""); !r.Valid {
			t.Fatalf("entry %d/%d: %+v", a.StatusList, a.StatusIndex, r.Checks)
		}
		return a
	}
	type entry struct{ list, index int }
	var got []entry
	for i := range 3 {
		if i == 1 {
			// Entries 1 and 2 of the counter become the last of list 1
			// and the first of list 2.
			e.seams.base = badge.ListSize - 2
		}
		a := accept()
		got = append(got, entry{a.StatusList, a.StatusIndex})
	}
	want := []entry{{1, 0}, {1, badge.ListSize - 1}, {2, 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
}

// TestRevoke: who may revoke what, with which reason.
func TestRevoke(t *testing.T) {
	long := strings.Repeat("ä", badge.MaxReasonLength)
	for name, tc := range map[string]struct {
		actor  string // "owner", "admin", "other" or "hr" (HR of the owner's organisation)
		state  badge.State
		id     string // instead of the award's
		reason string
		kind   apperr.Kind // Internal: no error
		key    string
		fields []apperr.FieldError
	}{
		"owner withdraws":           {actor: "owner", state: badge.Accepted, reason: "  Ei enää ajantasainen. "},
		"administrator revokes":     {actor: "admin", state: badge.Accepted, reason: "Myönnetty virheellisesti"},
		"longest reason":            {actor: "admin", state: badge.Accepted, reason: long},
		"another user":              {actor: "other", state: badge.Accepted, reason: "Syy", kind: apperr.NotFound},
		"HR of the organisation":    {actor: "hr", state: badge.Accepted, reason: "Syy", kind: apperr.NotFound},
		"no such award":             {actor: "admin", state: badge.Accepted, id: "nosuchaward", reason: "Syy", kind: apperr.NotFound},
		"empty reason, owner":       {actor: "owner", state: badge.Accepted, kind: apperr.Invalid, fields: []apperr.FieldError{{Field: "reason", Code: "required"}}},
		"blank reason, admin":       {actor: "admin", state: badge.Accepted, reason: " \t\n ", kind: apperr.Invalid, fields: []apperr.FieldError{{Field: "reason", Code: "required"}}},
		"reason too long":           {actor: "admin", state: badge.Accepted, reason: long + "ö", kind: apperr.Invalid, fields: []apperr.FieldError{{Field: "reason", Code: "text.too_long"}}},
		"offered":                   {actor: "owner", state: badge.Offered, reason: "Syy", kind: apperr.Conflict, key: "badge.not_accepted"},
		"declined, by admin":        {actor: "admin", state: badge.Declined, reason: "Syy", kind: apperr.Conflict, key: "badge.not_accepted"},
		"revoked already, by admin": {actor: "admin", state: badge.Revoked, reason: "Syy", kind: apperr.Conflict, key: "badge.not_accepted"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			owner := e.person(leaderIn(e.orgA))
			a := e.earn(owner)
			var err error
			switch tc.state {
			case badge.Accepted, badge.Revoked:
				_, err = e.svc.Accept(e.ctx, owner, a.ID, badge.AcceptInput{})
				if err == nil && tc.state == badge.Revoked {
					err = e.svc.Revoke(e.ctx, owner, a.ID, "Ensimmäinen syy")
				}
			case badge.Declined:
				err = e.svc.Decline(e.ctx, owner, a.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			actor := map[string]*account.Principal{"owner": owner, "admin": e.person(adminRole()),
				"other": e.person(leaderIn(e.orgA)), "hr": e.person(hrIn(e.orgA))}[tc.actor]
			id := a.ID
			if tc.id != "" {
				id = tc.id
			}
			before := e.award(a.ID)
			err = e.svc.Revoke(e.ctx, actor, id, tc.reason)
			after := e.award(a.ID)
			if tc.kind != apperr.Internal {
				wantErr(t, err, tc.kind, tc.key, tc.fields...)
				if after.Revision != before.Revision || after.State != before.State || after.RevokeReason != before.RevokeReason {
					t.Fatalf("a refused revocation changed the award: %+v", after)
				}
				if n := e.mailTo(owner.User.Email, "badge_revoked"); n != 0 {
					t.Fatalf("%d e-mails about a revocation that was refused", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if after.State != badge.Revoked || after.RevokedBy != actor.User.ID || after.RevokeReason != strings.TrimSpace(tc.reason) ||
				after.RevokedAt.IsZero() || after.Credential != before.Credential {
				t.Fatalf("revoked %+v", after)
			}
			// The earner is told when someone else revoked the badge.
			want := 1
			if actor == owner {
				want = 0
			}
			if n := e.mailTo(owner.User.Email, "badge_revoked"); n != want {
				t.Fatalf("%d e-mails to the earner about the revocation, want %d", n, want)
			}
		})
	}
}

// TestRevocationShowsAtOnce: the verifier and the status list of this
// process show a revocation at once, although they cache the lists.
func TestRevocationShowsAtOnce(t *testing.T) {
	e := newEnv(t)
	owner, bystander := e.person(leaderIn(e.orgA)), e.person(leaderIn(e.orgA))
	a := e.hold(owner)
	b := e.hold(bystander)
	if a.StatusList != b.StatusList {
		t.Fatalf("lists %d and %d: the fixture wants one list", a.StatusList, b.StatusList)
	}
	bits := func() *statuslist.List {
		t.Helper()
		tok, err := e.svc.StatusListCredential(e.ctx, a.StatusList)
		if err != nil {
			t.Fatal(err)
		}
		// Signed with the issuer's key.
		claims := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(tok, claims, func(tk *jwt.Token) (any, error) {
			kid, _ := tk.Header["kid"].(string)
			if pub, ok := e.svc.Keys().Public(e.svc.Keys().KeyIDFromURL(kid)); ok {
				return pub, nil
			}
			return nil, fmt.Errorf("unknown key %q", kid)
		}, jwt.WithValidMethods([]string{"ES256"})); err != nil {
			t.Fatalf("status list credential: %v", err)
		}
		var doc struct {
			ID                string `json:"id"`
			CredentialSubject struct {
				EncodedList string `json:"encodedList"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(payload(t, tok), &doc); err != nil || doc.ID != e.site.StatusListURL(a.StatusList) {
			t.Fatalf("status list %s: %v", doc.ID, err)
		}
		l, err := statuslist.Decode(doc.CredentialSubject.EncodedList)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	status := func(tok string) openbadges.Check {
		t.Helper()
		return e.svc.Verifier().Verify(e.ctx, tok, "").Check(openbadges.CheckStatus)
	}
	// Read, and so cache, the list before the revocation.
	if c := status(a.Credential); c.Outcome != openbadges.Passed {
		t.Fatalf("before revocation: %+v", c)
	}
	if set, err := bits().IsSet(a.StatusIndex); err != nil || set {
		t.Fatalf("entry %d set before revocation (%v)", a.StatusIndex, err)
	}
	if err := e.svc.Revoke(e.ctx, e.person(adminRole()), a.ID, "Myönnetty virheellisesti"); err != nil {
		t.Fatal(err)
	}
	if c := status(a.Credential); c.Outcome != openbadges.Failed || c.Code != "revoked" {
		t.Fatalf("after revocation: %+v", c)
	}
	if c := status(b.Credential); c.Outcome != openbadges.Passed {
		t.Fatalf("another badge on the list after revocation: %+v", c)
	}
	l := bits()
	if set, err := l.IsSet(a.StatusIndex); err != nil || !set {
		t.Fatalf("entry %d not set after revocation (%v)", a.StatusIndex, err)
	}
	if set, _ := l.IsSet(b.StatusIndex); set {
		t.Fatalf("entry %d of an unrevoked badge is set", b.StatusIndex)
	}
	for _, n := range []int{0, -1, badge.MaxStatusLists + 1} {
		if _, err := e.svc.StatusListCredential(e.ctx, n); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("status list %d: %v", n, err)
		}
	}
}

// TestRevocationDuringStatusRead: a status list read before a revocation
// and cached after it must not hide the revocation.
func TestRevocationDuringStatusRead(t *testing.T) {
	e := newEnv(t)
	owner := e.person(leaderIn(e.orgA))
	a := e.hold(owner)

	// A verification reads the list, and is held there while the badge
	// is revoked.
	read, proceed := make(chan struct{}), make(chan struct{})
	var once, release sync.Once
	hold := func() { once.Do(func() { close(read); <-proceed }) }
	let := func() { release.Do(func() { close(proceed) }) }
	defer let()
	e.seams.afterRead.Store(&hold)
	done := make(chan openbadges.Report, 1)
	go func() { done <- e.svc.Verifier().Verify(e.ctx, a.Credential, "") }()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the verification did not read the status list")
	}
	err := e.svc.Revoke(e.ctx, owner, a.ID, "Ei enää ajantasainen")
	let()
	<-done
	e.seams.afterRead.Store(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := e.svc.Verifier().Verify(e.ctx, a.Credential, "").Check(openbadges.CheckStatus); c.Outcome != openbadges.Failed || c.Code != "revoked" {
		t.Fatalf("after revocation: %+v", c)
	}
}

func applicationInput(orgID string) badge.ApplicationInput {
	return badge.ApplicationInput{OrgID: orgID, Evidence: "Valmensin kahta uutta tiiminvetäjää puolen vuoden ajan.",
		Links: []string{"https://example.fi/valmennus"}, Reflection: "Opin kysymään enemmän ja neuvomaan vähemmän."}
}

// apply submits an application for the coach badge for p in org A.
func (e *env) apply(p *account.Principal) badge.Application {
	e.t.Helper()
	a, err := e.svc.Apply(e.ctx, p, coachBadge, applicationInput(e.orgA))
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// TestApplicationReviewers: HR of the applicant's organisation and holders
// of an endorsing badge in any organisation may see and decide an
// application; nobody else, and never the applicant.
func TestApplicationReviewers(t *testing.T) {
	e := newEnv(t)
	if cl := e.class(coachBadge); !slices.Contains(cl.Earn.Endorsers, networkBadge) || !slices.Contains(cl.Earn.Reviewers, "hr") || cl.Earn.Approvals != 1 {
		t.Fatalf("the test expects %s endorsed by %s and HR, one approval: %+v", coachBadge, networkBadge, cl.Earn)
	}
	// The applicant is HR of their organisation and holds the endorsing
	// badge too: being the applicant is what keeps them out.
	applicant := e.person(leaderIn(e.orgA), hrIn(e.orgA))
	e.hold(applicant)
	app := e.apply(applicant)

	endorser := e.person(leaderIn(e.orgB))
	e.hold(endorser)
	revoked := e.person(leaderIn(e.orgB))
	if err := e.svc.Revoke(e.ctx, revoked, e.hold(revoked).ID, "Ei enää ajantasainen"); err != nil {
		t.Fatal(err)
	}
	expired := e.person(leaderIn(e.orgB))
	e.expire(e.hold(expired).ID)
	offered := e.person(leaderIn(e.orgB))
	e.earn(offered)

	for _, tc := range []struct {
		name     string
		p        *account.Principal
		see, may bool
	}{
		{"HR of the organisation", e.person(hrIn(e.orgA)), true, true},
		{"endorser in another organisation", endorser, true, true},
		{"endorser whose badge is revoked", revoked, false, false},
		{"endorser whose badge expired", expired, false, false},
		{"endorsing badge only offered", offered, false, false},
		{"HR of another organisation", e.person(hrIn(e.orgB)), false, false},
		{"colleague in the organisation", e.person(leaderIn(e.orgA)), false, false},
		{"applicant", applicant, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := e.svc.Application(e.ctx, tc.p, app.ID)
			if tc.see && (err != nil || got.ID != app.ID) {
				t.Fatalf("cannot see the application: %v", err)
			}
			if !tc.see {
				wantErr(t, err, apperr.NotFound, "")
			}
			if may, err := e.svc.MayReview(e.ctx, tc.p, app); err != nil || may != tc.may {
				t.Fatalf("may review: %v, %v", may, err)
			}
			list, err := e.svc.Reviewable(e.ctx, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if listed := slices.ContainsFunc(list, func(a badge.Application) bool { return a.ID == app.ID }); listed != tc.may {
				t.Fatalf("listed for review: %v", listed)
			}
			if !tc.may {
				for _, d := range []badge.DecisionInput{{Approve: true}, {Comment: "Täydennä."}} {
					_, err := e.svc.Decide(e.ctx, tc.p, app.ID, d)
					wantErr(t, err, apperr.NotFound, "")
				}
			}
		})
	}
	if got := e.application(app.ID); got.State != badge.Submitted || len(got.Decisions) != 0 {
		t.Fatalf("refused decisions changed the application: %+v", got)
	}

	// The endorser from another organisation decides it.
	got, err := e.svc.Decide(e.ctx, endorser, app.ID, badge.DecisionInput{Approve: true})
	if err != nil {
		t.Fatal(err)
	}
	aw := e.award(got.AwardID)
	if got.State != badge.Approved || aw.State != badge.Offered || aw.UserID != applicant.User.ID || aw.ClassID != coachBadge ||
		aw.Source != "application:"+app.ID || aw.OrgID != e.orgA {
		t.Fatalf("approved %+v, award %+v", got, aw)
	}
	if may, _ := e.svc.MayReview(e.ctx, endorser, got); may {
		t.Fatal("an approved application may still be reviewed")
	}
}

// TestApplicationRounds: approvals count in the round they were given;
// each reviewer decides once a round.
func TestApplicationRounds(t *testing.T) {
	e := newEnv(t)
	e.class(coachBadge).Earn.Approvals = 2
	applicant := e.person(leaderIn(e.orgA))
	hr := e.person(hrIn(e.orgA))
	endorser := e.person(leaderIn(e.orgB))
	e.hold(endorser)
	app := e.apply(applicant)
	decide := func(p *account.Principal, d badge.DecisionInput) (badge.Application, error) {
		return e.svc.Decide(e.ctx, p, app.ID, d)
	}
	listed := func(p *account.Principal) bool {
		t.Helper()
		list, err := e.svc.Reviewable(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list, func(a badge.Application) bool { return a.ID == app.ID })
	}

	// Round 1: HR approves, once.
	if got, err := decide(hr, badge.DecisionInput{Approve: true}); err != nil || got.State != badge.Submitted {
		t.Fatalf("first approval of two: %+v, %v", got, err)
	}
	_, err := decide(hr, badge.DecisionInput{Approve: true})
	wantErr(t, err, apperr.Conflict, "application.decided")
	_, err = decide(hr, badge.DecisionInput{Comment: "Sittenkin täydennettävää."})
	wantErr(t, err, apperr.Conflict, "application.decided")
	if listed(hr) {
		t.Fatal("HR still has the application to review after deciding")
	}
	if got := e.application(app.ID); len(got.Decisions) != 1 {
		t.Fatalf("decisions %+v", got.Decisions)
	}
	// The endorser returns it, which needs a comment.
	_, err = decide(endorser, badge.DecisionInput{Comment: "  "})
	wantErr(t, err, apperr.Invalid, "", apperr.FieldError{Field: "comment", Code: "comment.required"})
	if got, err := decide(endorser, badge.DecisionInput{Comment: "Kerro tuloksista."}); err != nil || got.State != badge.Returned {
		t.Fatalf("return: %+v, %v", got, err)
	}
	_, err = decide(e.person(hrIn(e.orgA)), badge.DecisionInput{Approve: true})
	wantErr(t, err, apperr.Conflict, "application.closed")

	// Round 2: HR's approval of round 1 no longer counts.
	in := applicationInput("")
	in.Evidence += " Tiimien palaverit lyhenivät."
	resubmitted, err := e.svc.Resubmit(e.ctx, applicant, app.ID, in)
	if err != nil || resubmitted.Round != 2 || resubmitted.State != badge.Submitted {
		t.Fatalf("resubmit: %+v, %v", resubmitted, err)
	}
	if !listed(hr) || !listed(endorser) {
		t.Fatal("the resubmitted application is not listed for its reviewers")
	}
	if got, err := decide(endorser, badge.DecisionInput{Approve: true}); err != nil || got.State != badge.Submitted {
		t.Fatalf("one approval in round 2 (and one in round 1) approved it: %+v, %v", got, err)
	}
	got, err := decide(hr, badge.DecisionInput{Approve: true})
	if err != nil || got.State != badge.Approved || got.AwardID == "" {
		t.Fatalf("second approval in round 2: %+v, %v", got, err)
	}
	var rounds []int
	for _, d := range got.Decisions {
		rounds = append(rounds, d.Round)
	}
	if !slices.Equal(rounds, []int{1, 1, 2, 2}) {
		t.Fatalf("decision rounds %v", rounds)
	}
	// The award names the approvers of the last round.
	aw := e.award(got.AwardID)
	last := aw.Evidence[len(aw.Evidence)-1].Narrative
	if aw.State != badge.Offered || !strings.Contains(last, hr.User.Name) || !strings.Contains(last, endorser.User.Name) ||
		!strings.Contains(aw.Evidence[0].Narrative, "palaverit lyhenivät") {
		t.Fatalf("award %+v", aw)
	}
}

// TestWithdraw: an applicant withdraws their own submitted or returned
// application, nothing else.
func TestWithdraw(t *testing.T) {
	for name, tc := range map[string]struct {
		state badge.ApplicationState
		other bool
		kind  apperr.Kind
		key   string
	}{
		"submitted":      {state: badge.Submitted},
		"returned":       {state: badge.Returned},
		"approved":       {state: badge.Approved, kind: apperr.Conflict, key: "application.closed"},
		"withdrawn":      {state: badge.Withdrawn, kind: apperr.Conflict, key: "application.closed"},
		"someone else's": {state: badge.Submitted, other: true, kind: apperr.NotFound},
		"HR, returned":   {state: badge.Returned, other: true, kind: apperr.NotFound},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			applicant, hr := e.person(leaderIn(e.orgA)), e.person(hrIn(e.orgA))
			app := e.apply(applicant)
			var err error
			switch tc.state {
			case badge.Returned:
				_, err = e.svc.Decide(e.ctx, hr, app.ID, badge.DecisionInput{Comment: "Täydennä."})
			case badge.Approved:
				_, err = e.svc.Decide(e.ctx, hr, app.ID, badge.DecisionInput{Approve: true})
			case badge.Withdrawn:
				err = e.svc.Withdraw(e.ctx, applicant, app.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			actor := applicant
			if tc.other {
				actor = hr
			}
			before := e.application(app.ID)
			err = e.svc.Withdraw(e.ctx, actor, app.ID)
			after := e.application(app.ID)
			if tc.kind != apperr.Internal {
				wantErr(t, err, tc.kind, tc.key)
				if after.Revision != before.Revision || after.State != before.State {
					t.Fatalf("a refused withdrawal changed the application: %+v", after)
				}
				return
			}
			if err != nil || after.State != badge.Withdrawn {
				t.Fatalf("withdraw: %v, %+v", err, after)
			}
			// A withdrawn application is no longer open: a new one may be
			// made.
			if _, err := e.svc.Apply(e.ctx, applicant, coachBadge, applicationInput(e.orgA)); err != nil {
				t.Fatalf("applying again: %v", err)
			}
		})
	}
}

// TestApplyConflicts: one open application a badge, and none for a badge
// that is offered or held.
func TestApplyConflicts(t *testing.T) {
	e := newEnv(t)
	applicant, hr := e.person(leaderIn(e.orgA)), e.person(hrIn(e.orgA))
	apply := func() (badge.Application, error) {
		return e.svc.Apply(e.ctx, applicant, coachBadge, applicationInput(e.orgA))
	}
	app := e.apply(applicant)
	_, err := apply()
	wantErr(t, err, apperr.Conflict, "application.exists")
	got, err := e.svc.Decide(e.ctx, hr, app.ID, badge.DecisionInput{Approve: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = apply()
	wantErr(t, err, apperr.Conflict, "application.held") // offered
	if _, err := e.svc.Accept(e.ctx, applicant, got.AwardID, badge.AcceptInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = apply()
	wantErr(t, err, apperr.Conflict, "application.held") // held
	if apps, _ := e.db.Applications(e.ctx, applicant.User.ID); len(apps) != 1 {
		t.Fatalf("refused applications were stored: %+v", apps)
	}
	// Once the badge expired it can be applied for again.
	e.expire(got.AwardID)
	if _, err := apply(); err != nil {
		t.Fatalf("applying after the badge expired: %v", err)
	}
	// Not for an automatic badge, nor in an organisation one is not in.
	_, err = e.svc.Apply(e.ctx, applicant, networkBadge, applicationInput(e.orgA))
	wantErr(t, err, apperr.NotFound, "")
	_, err = e.svc.Apply(e.ctx, e.person(leaderIn(e.orgA)), coachBadge, applicationInput(e.orgB))
	wantErr(t, err, apperr.Invalid, "", apperr.FieldError{Field: "org", Code: "org.not_member"})
}

// TestVerifyLookups: what Verify makes of this site's URLs and of JSON
// naming an award.
func TestVerifyLookups(t *testing.T) {
	e := newEnv(t)
	offered := e.earn(e.person(leaderIn(e.orgA)))
	owner := e.person(leaderIn(e.orgA))
	accepted := e.hold(owner)
	revoked := e.hold(e.person(leaderIn(e.orgA)))
	if err := e.svc.Revoke(e.ctx, e.person(adminRole()), revoked.ID, "Myönnetty virheellisesti"); err != nil {
		t.Fatal(err)
	}
	credentialJSON := string(payload(t, accepted.Credential))

	for name, tc := range map[string]struct {
		text, email string
		source      string
		valid       bool
		failed      openbadges.CheckName // the check that fails, if one does
		code        string
		award       string // the award found
		reason      string
	}{
		"offered award's URL":       {text: e.site.Award(offered.ID), source: "url", failed: openbadges.CheckFormat, code: "url_unknown"},
		"offered award's JSON":      {text: `{"id": "` + e.site.Award(offered.ID) + `"}`, source: "json", failed: openbadges.CheckFormat, code: "url_unknown"},
		"offered award's assertion": {text: e.site.V2AssertionURL(offered.ID), source: "url", failed: openbadges.CheckFormat, code: "url_unknown"},
		"accepted award's URL":      {text: e.site.Award(accepted.ID) + "/credential.jwt", email: owner.User.Email, source: "url", valid: true, award: accepted.ID},
		"credential as JSON":        {text: "\n" + credentialJSON, source: "json", valid: true, award: accepted.ID},
		"JSON without an id":        {text: `{"type": ["VerifiableCredential"]}`, source: "json", failed: openbadges.CheckFormat, code: "json_without_id"},
		"revoked award's URL": {text: e.site.Award(revoked.ID), source: "url", failed: openbadges.CheckStatus, code: "revoked",
			award: revoked.ID, reason: "Myönnetty virheellisesti"},
		"revoked award's token": {text: revoked.Credential, source: "jwt", failed: openbadges.CheckStatus, code: "revoked",
			award: revoked.ID, reason: "Myönnetty virheellisesti"},
	} {
		t.Run(name, func(t *testing.T) {
			v, err := e.svc.Verify(e.ctx, badge.VerifyInput{Text: tc.text, Email: tc.email})
			if err != nil {
				t.Fatal(err)
			}
			if v.Valid != tc.valid || v.Source != tc.source || v.RevocationReason != tc.reason {
				t.Fatalf("valid %v, source %s, reason %q: %+v", v.Valid, v.Source, v.RevocationReason, v.Checks)
			}
			for _, c := range v.Checks {
				if c.Outcome == openbadges.Failed && (c.Name != tc.failed || c.Code != tc.code) {
					t.Fatalf("check %+v failed", c)
				}
			}
			if tc.failed != "" {
				if c := v.Check(tc.failed); c.Outcome != openbadges.Failed || c.Code != tc.code {
					t.Fatalf("check %+v, want %s to fail with %s", c, tc.failed, tc.code)
				}
			}
			switch {
			case tc.award == "" && (v.Award() != nil || v.AwardURL != ""):
				t.Fatalf("found award %+v", v.Award())
			case tc.award != "" && (v.Award() == nil || v.Award().ID != tc.award || v.AwardURL != e.site.Award(tc.award)):
				t.Fatalf("found award %+v at %s, want %s", v.Award(), v.AwardURL, tc.award)
			}
		})
	}
}
