package account_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"vertaa/badges"
	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/audit"
	"vertaa/internal/badge"
	"vertaa/internal/i18n"
	"vertaa/internal/keyring"
	"vertaa/internal/openbadges"
	"vertaa/internal/response"
	"vertaa/internal/store/storetest"
)

// erasureWorld is the whole service on one database, as the server wires
// it, with a raw handle on the database to read every document.
type erasureWorld struct {
	*fixture
	raw       *mongo.Database
	responses *response.Service
	badges    *badge.Service
	texts     *i18n.Catalog
}

func newErasureWorld(t *testing.T) *erasureWorld {
	t.Helper()
	db, raw := storetest.NewWithDatabase(t)
	ctx := context.Background()
	if err := db.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.IndexIDs(t, raw)
	w := &erasureWorld{fixture: fixtureOn(t, db), raw: raw, texts: texts(t)}
	catalog := assessmenttest.Shipped(t)
	responses, err := response.NewService(ctx, db, catalog)
	if err != nil {
		t.Fatal(err)
	}
	w.responses = responses
	classes, err := badge.Load(badges.FS, "badges", catalog)
	if err != nil {
		t.Fatal(err)
	}
	master, err := keyring.New(keyring.NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	site := openbadges.NewSite("https://vertaa.example.fi")
	keys, _, err := openbadges.LoadKeys(ctx, db, master, site)
	if err != nil {
		t.Fatal(err)
	}
	w.badges, err = badge.NewService(badge.Config{Store: db, Classes: classes, Questionnaires: catalog, Definitions: w.responses,
		Site: site, Keys: keys, Texts: w.texts, IDKey: master.Derive("award-id"),
		Issuer: openbadges.Issuer{Name: "Ammattiopistojen johtamisverkosto", URL: site.Base}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// submit answers every item of a round's questionnaire with v and submits.
func (w *erasureWorld) submit(p *account.Principal, orgID, roundID string, v float64) response.Response {
	w.t.Helper()
	d, err := w.responses.Start(w.ctx, p, orgID, roundID, "")
	if err != nil {
		w.t.Fatal(err)
	}
	q, err := w.responses.Definition(w.ctx, d.Hash)
	if err != nil {
		w.t.Fatal(err)
	}
	for page, area := range q.Areas {
		answers := assessment.Answers{}
		for _, it := range area.Items {
			if it.Kind != assessment.TextItem {
				answers[it.ID] = assessment.Answer{Value: v}
			}
		}
		if _, err := w.responses.SavePage(w.ctx, p, d.ID, page+1, answers, page+2); err != nil {
			w.t.Fatal(err)
		}
	}
	r, err := w.responses.Submit(w.ctx, p, d.ID, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// earn offers p the automatic badges that a response earns.
func (w *erasureWorld) earn(p *account.Principal, r response.Response) []badge.Award {
	w.t.Helper()
	q, err := w.responses.Definition(w.ctx, r.Hash)
	if err != nil {
		w.t.Fatal(err)
	}
	offered, err := w.badges.EvaluateResponse(w.ctx, p, badge.Submission{ResponseID: r.ID, OrgID: r.OrgID, Questionnaire: q,
		Result: r.Result, SubmittedAt: r.SubmittedAt})
	if err != nil || len(offered) < 3 {
		w.t.Fatalf("offered %d badges (%v), want at least 3", len(offered), err)
	}
	return offered
}

// mentions returns, by collection, the _id of every document whose raw
// BSON holds any of the needles, without regard to case. It reads every
// document of every collection.
func (w *erasureWorld) mentions(needles ...string) map[string][]string {
	w.t.Helper()
	names, err := w.db.CollectionNames(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	found := map[string][]string{}
	for _, c := range names {
		cur, err := w.raw.Collection(c).Find(w.ctx, bson.D{})
		if err != nil {
			w.t.Fatal(err)
		}
		for cur.Next(w.ctx) {
			doc := bytes.ToLower(cur.Current)
			if slices.ContainsFunc(needles, func(n string) bool { return bytes.Contains(doc, []byte(strings.ToLower(n))) }) {
				found[c] = append(found[c], cur.Current.Lookup("_id").String())
			}
		}
		if err := cur.Err(); err != nil {
			w.t.Fatal(err)
		}
		_ = cur.Close(w.ctx)
	}
	return found
}

// crash is a part of the service whose erasure fails, as a crash midway
// would stop an erasure.
type crash struct{}

var errCrash = errors.New("crashed midway")

func (crash) ErasePerson(context.Context, *account.Principal, account.User) error { return errCrash }

const coachBadge = "vertaisvalmentaja"

// TestEraseRemovesEveryTrace erases a person who did everything: answered
// a round and shared the answers, kept a draft, accepted, withdrew,
// declined and left badges on offer, applied for a badge and approved
// someone else's application, opened a round, gave a role, invited
// someone and revoked someone's badge as HR and administrator, and has
// sessions, links, pending invitations, e-mail and audit events. Erasure
// stopped midway and run again leaves no document anywhere that holds
// their id, addresses or name; their accepted badges are revoked through
// the status list; HR's figures are those of the other responses; what
// they did to others stays, without them.
func TestEraseRemovesEveryTrace(t *testing.T) {
	w := newErasureWorld(t)
	ctx := w.ctx
	orgA, orgB := w.org("Opisto A"), w.org("Opisto B")
	team, err := w.svc.CreateTeam(ctx, w.admin, orgA.ID, "Tiimi A")
	if err != nil {
		t.Fatal(err)
	}
	const (
		name     = "Eerika Äkäpoistettava"
		email    = "Eerika.Akapoistettava@opisto.example"
		newEmail = "eerika.koti@posti.example"
	)
	eerika := w.member(email, name, account.Leader, orgA.ID, team.ID)
	leo := w.member("leo.kakkonen@opisto.example", "Leo Kakkonen", account.Leader, orgA.ID, team.ID)
	liisa := w.member("liisa.kolmonen@opisto.example", "Liisa Kolmonen", account.Leader, orgA.ID, team.ID)
	for _, g := range []account.Grant{{Role: account.HR, OrgID: orgA.ID}, {Role: account.Admin}} {
		if err := w.svc.SetRole(ctx, w.admin, eerika.User.ID, g.Role, g.OrgID, true); err != nil {
			t.Fatal(err)
		}
	}
	eerika = w.principal(eerika.User)

	// What she does to other people's records.
	if err := w.svc.SetRole(ctx, eerika, leo.User.ID, account.HR, orgA.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Invite(ctx, eerika, orgA.ID, account.Invitation{Email: "uusi.tulokas@opisto.example", Name: "Uusi Tulokas"}); err != nil {
		t.Fatal(err)
	}
	round, err := w.responses.CreateRound(ctx, eerika, orgA.ID, response.RoundInput{Name: "Kevät", QuestionnaireID: "johtamisosaaminen",
		Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	// Answers, a shared response and a draft.
	mine := w.submit(eerika, orgA.ID, round.ID, 5)
	leos := w.submit(leo, orgA.ID, round.ID, 5)
	w.submit(liisa, orgA.ID, round.ID, 3)
	if err := w.responses.SetShared(ctx, eerika, mine.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.responses.Start(ctx, eerika, "", "", "tiimityo"); err != nil {
		t.Fatal(err)
	}
	if ru, err := w.db.Rollup(ctx, orgA.ID, round.ID); err != nil || len(ru.Versions) != 1 || ru.Versions[0].Responses != 3 || len(ru.Shared) != 1 {
		t.Fatalf("rollup before erasure: %+v, %v", ru, err)
	}

	// Badges: the network badge held, another withdrawn, a third
	// declined, the rest on offer.
	accept := func(a badge.Award) badge.Award {
		t.Helper()
		accepted, err := w.badges.Accept(ctx, eerika, a.ID, badge.AcceptInput{Name: name, Public: []int{0}})
		if err != nil {
			t.Fatal(err)
		}
		return accepted
	}
	var held, withdrawn badge.Award
	var declined string
	for _, a := range w.earn(eerika, mine) {
		switch {
		case a.ClassID == "verkostojen-rakentaja":
			held = accept(a)
		case withdrawn.ID == "":
			withdrawn = accept(a)
		case declined == "":
			declined = a.ID
			if err := w.badges.Decline(ctx, eerika, a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if held.ID == "" {
		t.Fatal("the fixture wants the network badge offered")
	}
	if err := w.badges.Revoke(ctx, eerika, withdrawn.ID, "En halua tätä enää"); err != nil {
		t.Fatal(err)
	}
	// Leo's badge, which she revokes as an administrator.
	leosBadge, err := w.badges.Accept(ctx, leo, w.earn(leo, leos)[0].ID, badge.AcceptInput{Name: "Leo"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.badges.Revoke(ctx, eerika, leosBadge.ID, "Myönnetty virheellisesti"); err != nil {
		t.Fatal(err)
	}
	// Her application, and her approval of Liisa's.
	application := badge.ApplicationInput{OrgID: orgA.ID, Evidence: "Valmensin kahta uutta tiiminvetäjää puolen vuoden ajan.",
		Links: []string{"https://example.fi/valmennus"}, Reflection: "Opin kysymään enemmän ja neuvomaan vähemmän."}
	if _, err := w.badges.Apply(ctx, eerika, coachBadge, application); err != nil {
		t.Fatal(err)
	}
	liisas, err := w.badges.Apply(ctx, liisa, coachBadge, application)
	if err != nil {
		t.Fatal(err)
	}
	if liisas, err = w.badges.Decide(ctx, eerika, liisas.ID, badge.DecisionInput{Approve: true, Comment: "Hyvä kuvaus."}); err != nil || liisas.State != badge.Approved {
		t.Fatalf("approving: %+v, %v", liisas, err)
	}

	// Sessions, links, invitations, e-mail and audit events.
	if _, err := w.svc.SignIn(ctx, email, strongPassword, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.RequestPasswordReset(ctx, email); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.RequestEmailChange(ctx, eerika, newEmail); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Invite(ctx, w.admin, orgB.ID, account.Invitation{Email: strings.ToLower(email), Name: name}); err != nil {
		t.Fatal(err)
	}
	// Details are free text: one may name her.
	if err := w.db.Record(ctx, audit.Event{At: time.Now(), ActorID: w.admin.User.ID, Action: audit.RoleGranted, OrgID: orgA.ID,
		TargetID: leo.User.ID, Detail: "hr, as " + name + " <" + email + "> asked"}); err != nil {
		t.Fatal(err)
	}

	// Only an administrator's erasure touches any part.
	for _, part := range []account.PersonalData{w.responses, w.badges} {
		if err := part.ErasePerson(ctx, leo, eerika.User); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("%T.ErasePerson by a non-administrator: %v, want NotFound", part, err)
		}
	}

	needles := []string{eerika.User.ID, email, newEmail, name}
	before := w.mentions(needles...)
	for _, c := range []string{"users", "grants", "team_members", "sessions", "tokens", "outbox", "audit", "responses", "drafts",
		"user_index", "rollups", "rounds", "awards", "applications"} {
		if len(before[c]) == 0 {
			t.Errorf("before the erasure, nothing in %s names her: the fixture does not test %s", c, c)
		}
	}

	// Stopped midway, then run again.
	if err := w.svc.Erase(ctx, w.admin, eerika.User.ID, strings.ToUpper(email), w.responses, w.badges, crash{}); !errors.Is(err, errCrash) {
		t.Fatalf("erasure with a crashing part: %v", err)
	}
	if _, err := w.svc.SignIn(ctx, email, strongPassword, "192.0.2.7"); err == nil {
		t.Fatal("she signed in while being erased")
	}
	if _, err := w.svc.User(ctx, w.admin, eerika.User.ID); err != nil {
		t.Fatalf("after a failed erasure the administrator cannot find her again: %v", err)
	}
	if err := w.svc.Erase(ctx, w.admin, eerika.User.ID, " "+email+" ", w.responses, w.badges); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Erase(ctx, w.admin, eerika.User.ID, email, w.responses, w.badges); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("erasing the erased: %v, want NotFound", err)
	}

	for c, ids := range w.mentions(needles...) {
		t.Errorf("after the erasure, %s still names her in %v", c, ids)
	}

	// Her accepted badges are revoked for anyone who holds a copy.
	if c := w.badges.Verifier().Verify(ctx, held.Credential, "").Check(openbadges.CheckStatus); c.Outcome != openbadges.Failed || c.Code != "revoked" {
		t.Fatalf("status of her badge after erasure: %+v", c)
	}
	for _, a := range []badge.Award{held, withdrawn} {
		revoked, err := w.db.RevokedIndexes(ctx, a.StatusList)
		if err != nil || !slices.Contains(revoked, a.StatusIndex) {
			t.Fatalf("status list %d has revoked %v (%v), want entry %d", a.StatusList, revoked, err, a.StatusIndex)
		}
		kept, _, err := w.badges.Public(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantReason := w.texts.T(i18n.Lang(a.Lang), "badge.erased_reason")
		if kept.State != badge.Revoked || kept.RevokeReason != wantReason || kept.UserID != "" || kept.Name != "" || kept.Email != "" ||
			kept.Salt != "" || kept.SubjectID != "" || kept.Credential != "" || kept.Evidence != nil || kept.OrgID != "" || kept.Source != "" ||
			kept.ClassID != a.ClassID || !kept.AcceptedAt.Equal(a.AcceptedAt) || kept.StatusList != a.StatusList || kept.StatusIndex != a.StatusIndex {
			t.Fatalf("award after erasure: %+v", kept)
		}
	}
	if _, err := w.db.Award(ctx, declined); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("a declined award is still there: %v", err)
	}
	// Leo's badge stays revoked, by nobody now.
	if a, err := w.db.Award(ctx, leosBadge.ID); err != nil || a.State != badge.Revoked || a.RevokedBy != "" {
		t.Fatalf("Leo's revoked badge: %+v, %v", a, err)
	}

	// HR's figures are the other two responses, as a rebuild makes them.
	if n, err := w.responses.CheckRollups(ctx); err != nil || n != 0 {
		t.Fatalf("CheckRollups after erasure rebuilt %d (%v), want 0", n, err)
	}
	after, err := w.db.Rollup(ctx, orgA.ID, round.ID)
	if err != nil || len(after.Versions) != 1 || after.Versions[0].Responses != 2 || len(after.Shared) != 0 {
		t.Fatalf("rollup after erasure: %+v, %v", after, err)
	}
	if _, err := w.raw.Collection("rollups").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.responses.CheckRollups(ctx); err != nil || n != 1 {
		t.Fatalf("rebuilding: %d, %v", n, err)
	}
	if rebuilt, err := w.db.Rollup(ctx, orgA.ID, round.ID); err != nil || !reflect.DeepEqual(rebuilt, after) {
		t.Fatalf("rollup after erasure:\n%+v\nrebuilt from the responses:\n%+v (%v)", after, rebuilt, err)
	}

	// Her decision on Liisa's application stays, without her.
	app, err := w.db.Application(ctx, liisas.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := app.Decisions; app.State != badge.Approved || len(d) != 1 || !d[0].Approve || d[0].Comment != "Hyvä kuvaus." ||
		d[0].ReviewerID == "" || d[0].ReviewerName != "" {
		t.Fatalf("Liisa's application after erasure: %+v", app)
	}
	offer, err := w.db.Award(ctx, app.AwardID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(offer.Evidence, func(e badge.Evidence) bool {
		return strings.Contains(e.Narrative, w.texts.T(i18n.FI, "review.erased_reviewer"))
	}) {
		t.Fatalf("the evidence of Liisa's offer does not say an erased reviewer approved it: %+v", offer.Evidence)
	}

	// What she did to others stays, without her.
	if rs, err := w.responses.Responses(ctx, leo); err != nil || len(rs) != 1 {
		t.Fatalf("Leo's responses: %d, %v", len(rs), err)
	}
	if gs, err := w.db.Grants(ctx, leo.User.ID); err != nil ||
		!slices.ContainsFunc(gs, func(g account.Grant) bool { return g.Role == account.HR && g.GrantedBy == "" }) {
		t.Fatalf("Leo's roles: %+v, %v", gs, err)
	}
	invs, err := w.db.Invitations(ctx, orgA.ID, time.Now())
	if err != nil || len(invs) != 1 || invs[0].Email != "uusi.tulokas@opisto.example" || invs[0].CreatedBy != "" {
		t.Fatalf("invitations of organisation A: %+v, %v", invs, err)
	}
	if r, err := w.db.Round(ctx, orgA.ID, round.ID); err != nil || r.CreatedBy != "" {
		t.Fatalf("round: %+v, %v", r, err)
	}

	// The audit log says that an erasure happened, by whom, and no more.
	events, err := w.db.AuditEvents(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var erased []audit.Event
	for _, e := range events {
		if e.Action == audit.UserErased {
			erased = append(erased, e)
		}
	}
	if len(erased) != 1 || erased[0].ActorID != w.admin.User.ID || erased[0].TargetID != "" || erased[0].Detail != "" || erased[0].OrgID != "" {
		t.Fatalf("erasure events: %+v", erased)
	}
	if !slices.ContainsFunc(events, func(e audit.Event) bool {
		return e.Action == audit.RoleGranted && e.TargetID == leo.User.ID && e.ActorID == "" && e.Detail == "hr"
	}) {
		t.Fatal("the role she gave Leo is no longer in the audit log")
	}
}

// TestEraseRefuses: only an administrator erases, never themselves nor
// the last administrator, and only after typing the person's address; a
// refused erasure changes nothing.
func TestEraseRefuses(t *testing.T) {
	f := newFixture(t)
	org := f.org("Opisto")
	leena := f.member("leena.johtaja@opisto.example", "Leena Johtaja", account.Leader, org.ID, "")

	if err := f.svc.Erase(f.ctx, leena, f.admin.User.ID, f.admin.User.Email); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("a leader erasing: %v, want NotFound", err)
	}
	if err := f.svc.Erase(f.ctx, f.admin, f.admin.User.ID, f.admin.User.Email); apperr.KeyOf(err) != "erase_self" {
		t.Fatalf("erasing oneself: %v, want erase_self", err)
	}
	for typed, code := range map[string]string{"": "email.required", "leena@opisto.example": "email.mismatch", "  ": "email.required"} {
		err := f.svc.Erase(f.ctx, f.admin, leena.User.ID, typed)
		if fields := apperr.FieldsOf(err); apperr.KindOf(err) != apperr.Invalid || len(fields) != 1 || fields[0] != account.FieldError("email", code) {
			t.Fatalf("confirming with %q: %v, want %s", typed, err, code)
		}
	}
	if p, err := f.svc.Principal(f.ctx, leena.User.ID, leena.SessionID); err != nil || len(p.Grants) != 1 {
		t.Fatalf("after refused erasures the leader's session: %+v, %v", p, err)
	}

	// An administrator loaded before their own role was taken away meets
	// the last administrator.
	stale := f.admin
	other := f.member("toinen.paakayttaja@opisto.example", "Toinen Pääkäyttäjä", account.Leader, org.ID, "")
	if err := f.svc.SetRole(f.ctx, f.admin, other.User.ID, account.Admin, "", true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRole(f.ctx, f.principal(other.User), f.admin.User.ID, account.Admin, "", false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Erase(f.ctx, stale, other.User.ID, other.User.Email); apperr.KeyOf(err) != "last_admin" {
		t.Fatalf("erasing the last administrator: %v, want last_admin", err)
	}
	if u, err := f.db.User(f.ctx, other.User.ID); err != nil || u.Disabled {
		t.Fatalf("the last administrator after the refusal: %+v, %v", u, err)
	}
}
