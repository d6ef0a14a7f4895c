package account_test

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/i18n"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
	"vertaa/web"
)

const strongPassword = "kaksi sammakkoa laulaa"

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.Store
	svc   *account.Service
	admin *account.Principal
}

func texts(t testing.TB) *i18n.Catalog {
	t.Helper()
	sub, err := fs.Sub(web.Locales, "locales")
	if err != nil {
		t.Fatal(err)
	}
	c, err := i18n.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newFixture returns a service on a fresh database with a first
// administrator made through the setup link.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return fixtureOn(t, storetest.NewWithSchema(t))
}

// fixtureOn is newFixture on a store that has the schema.
func fixtureOn(t *testing.T, db *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, db: db, svc: account.NewService(db, texts(t), "https://vertaa.example.fi", func() {})}
	link, _, err := f.svc.SetupLink(ctx)
	if err != nil || link == "" {
		t.Fatalf("SetupLink = %q, %v", link, err)
	}
	u, err := f.svc.CompleteSetup(ctx, secretOf(link), account.NewUser{Email: "admin@verkosto.fi", Name: "Anna Admin", Password: strongPassword, Lang: "fi"})
	if err != nil {
		t.Fatal(err)
	}
	f.admin = f.principal(u)
	return f
}

// principal signs u in and returns their principal.
func (f *fixture) principal(u account.User) *account.Principal {
	f.t.Helper()
	s, err := f.svc.StartSession(f.ctx, u.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := f.svc.Principal(f.ctx, u.ID, s.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func secretOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

var linkPattern = regexp.MustCompile(`https://vertaa\.example\.fi/[a-z]+/[A-Za-z0-9_-]{43}`)

// lastLink returns the link in the newest e-mail to the address.
func (f *fixture) lastLink(to string) string {
	f.t.Helper()
	msgs, err := f.db.RecentMail(f.ctx, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.EqualFold(m.To, to) {
			if l := linkPattern.FindString(m.Text); l != "" {
				return l
			}
		}
	}
	f.t.Fatalf("no e-mail with a link to %s", to)
	return ""
}

// member creates a user who holds role in org, through an invitation.
func (f *fixture) member(email, name string, role account.Role, orgID, teamID string) *account.Principal {
	f.t.Helper()
	if err := f.svc.Invite(f.ctx, f.admin, orgID, account.Invitation{Email: email, Name: name, Role: role, TeamID: teamID}); err != nil {
		f.t.Fatal(err)
	}
	res, err := f.svc.AcceptInvitation(f.ctx, secretOf(f.lastLink(email)), nil, account.NewUser{Name: name, Password: strongPassword})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.principal(res.User)
}

func (f *fixture) org(name string) account.Organisation {
	f.t.Helper()
	o, err := f.svc.CreateOrg(f.ctx, f.admin, name)
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Fatalf("got %v (%v), want %v", err, apperr.KindOf(err), kind)
	}
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	for _, fe := range apperr.FieldsOf(err) {
		if fe.Field == field && fe.Code == code {
			return
		}
	}
	t.Fatalf("got %v, want field %s: %s", err, field, code)
}

func TestSetup(t *testing.T) {
	f := newFixture(t)
	if link, _, err := f.svc.SetupLink(f.ctx); err != nil || link != "" {
		t.Fatalf("a second setup link was issued: %q, %v", link, err)
	}
	if !f.admin.IsAdmin() || !f.admin.User.EmailVerified {
		t.Fatalf("first administrator: %+v", f.admin)
	}
	t.Run("ErrSetupTwice", func(t *testing.T) {
		db := storetest.New(t)
		if err := db.EnsureSchema(f.ctx); err != nil {
			t.Fatal(err)
		}
		svc := account.NewService(db, texts(t), "https://vertaa.example.fi", func() {})
		old, _, _ := svc.SetupLink(f.ctx)
		link, _, _ := svc.SetupLink(f.ctx)
		nu := account.NewUser{Email: "a@b.fi", Name: "A", Password: strongPassword}
		_, err := svc.CompleteSetup(f.ctx, secretOf(old), nu)
		wantKind(t, err, apperr.NotFound) // a newer link replaced it
		bad := nu
		bad.Password = "salasana"
		_, err = svc.CompleteSetup(f.ctx, secretOf(link), bad)
		wantField(t, err, "password", "password.common")
		if _, err := svc.CompleteSetup(f.ctx, secretOf(link), nu); err != nil {
			t.Fatalf("the link must survive a refused password: %v", err)
		}
		_, err = svc.CompleteSetup(f.ctx, secretOf(link), nu)
		wantKind(t, err, apperr.Conflict)
	})
}

func TestSignIn(t *testing.T) {
	f := newFixture(t)
	u, err := f.svc.SignIn(f.ctx, " ADMIN@verkosto.FI ", strongPassword, "192.0.2.1")
	if err != nil || u.ID != f.admin.User.ID {
		t.Fatalf("SignIn = %+v, %v", u, err)
	}
	o := f.org("Esimerkkiopisto")
	disabled := f.member("d@opisto.fi", "Disa Bled", account.Leader, o.ID, "")
	if err := f.svc.SetDisabled(f.ctx, f.admin, disabled.User.ID, true); err != nil {
		t.Fatal(err)
	}
	// An unknown address, a wrong password and a disabled account get the
	// very same answer.
	var answers []string
	for _, c := range [][2]string{{"nobody@verkosto.fi", strongPassword}, {"admin@verkosto.fi", "wrong password!"}, {"d@opisto.fi", strongPassword}, {"not an address", "x"}} {
		_, err := f.svc.SignIn(f.ctx, c[0], c[1], "192.0.2.1")
		wantField(t, err, "email", "signin.failed")
		answers = append(answers, err.Error())
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("sign-in answers differ: %q", answers)
		}
	}
	events, err := f.db.AuditEvents(f.ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	fails := 0
	for _, e := range events {
		if e.Action == audit.SignInFailed {
			fails++
			if strings.Contains(e.Detail, "wrong password!") || strings.Contains(e.Detail, "nobody@") {
				t.Fatalf("the audit log holds a password or an address: %+v", e)
			}
		}
	}
	if fails != 3 {
		t.Fatalf("%d failed sign-ins audited, want 3", fails)
	}
}

func TestDisablingEndsSessions(t *testing.T) {
	f := newFixture(t)
	o := f.org("Esimerkkiopisto")
	p := f.member("l@opisto.fi", "Leena Leader", account.Leader, o.ID, "")
	if err := f.svc.SetDisabled(f.ctx, f.admin, p.User.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Principal(f.ctx, p.User.ID, p.SessionID)
	wantKind(t, err, apperr.Unauthorized)
	wantKind(t, f.svc.SetDisabled(f.ctx, f.admin, f.admin.User.ID, true), apperr.Conflict)
	wantKind(t, f.svc.SetDisabled(f.ctx, p, f.admin.User.ID, true), apperr.NotFound)
}

func TestPasswordReset(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.RequestPasswordReset(f.ctx, "nobody@verkosto.fi"); err != nil {
		t.Fatalf("an unknown address must answer like a known one: %v", err)
	}
	if err := f.svc.RequestPasswordReset(f.ctx, "admin@verkosto.fi"); err != nil {
		t.Fatal(err)
	}
	secret := secretOf(f.lastLink("admin@verkosto.fi"))
	_, err := f.svc.SetPasswordWithLink(f.ctx, secret, "12345678")
	wantField(t, err, "password", "password.repetitive")
	if _, err := f.svc.SetPasswordWithLink(f.ctx, secret, "uusi vahva lause 2026"); err != nil {
		t.Fatalf("the link must survive a refused password: %v", err)
	}
	_, err = f.svc.SetPasswordWithLink(f.ctx, secret, "toinen vahva lause")
	wantKind(t, err, apperr.NotFound) // single use
	// The reset ended the session the administrator had.
	_, err = f.svc.Principal(f.ctx, f.admin.User.ID, f.admin.SessionID)
	wantKind(t, err, apperr.Unauthorized)
	if _, err := f.svc.SignIn(f.ctx, "admin@verkosto.fi", "uusi vahva lause 2026", ""); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
}

func TestChangePasswordEndsSessions(t *testing.T) {
	f := newFixture(t)
	other := f.principal(f.admin.User) // a second browser
	err := f.svc.ChangePassword(f.ctx, f.admin, "wrong", "uusi vahva lause 2026")
	wantField(t, err, "current", "password.wrong")
	if err := f.svc.ChangePassword(f.ctx, f.admin, strongPassword, "uusi vahva lause 2026"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*account.Principal{f.admin, other} {
		_, err := f.svc.Principal(f.ctx, p.User.ID, p.SessionID)
		wantKind(t, err, apperr.Unauthorized)
	}
}

func TestEmailChange(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.RequestEmailChange(f.ctx, f.admin, "uusi@verkosto.fi"); err != nil {
		t.Fatal(err)
	}
	u, err := f.svc.ConfirmEmail(f.ctx, secretOf(f.lastLink("uusi@verkosto.fi")))
	if err != nil || u.Email != "uusi@verkosto.fi" {
		t.Fatalf("ConfirmEmail = %+v, %v", u, err)
	}
	wantField(t, f.svc.RequestEmailChange(f.ctx, f.principal(u), "UUSI@verkosto.fi"), "email", "email.same")
	if _, err := f.svc.SignIn(f.ctx, "uusi@verkosto.fi", strongPassword, ""); err != nil {
		t.Fatalf("sign in with the new address: %v", err)
	}
}

func TestInvitations(t *testing.T) {
	f := newFixture(t)
	o := f.org("Esimerkkiopisto")
	team, err := f.svc.CreateTeam(f.ctx, f.admin, o.ID, "Tekniikka")
	if err != nil {
		t.Fatal(err)
	}
	hr := f.member("hr@opisto.fi", "Hanna HR", account.HR, o.ID, "")
	if !hr.Has(account.HR, o.ID) || hr.Has(account.Leader, o.ID) {
		t.Fatalf("HR grants: %+v", hr.Grants)
	}

	t.Run("HR invites a leader into a team", func(t *testing.T) {
		if err := f.svc.Invite(f.ctx, hr, o.ID, account.Invitation{Email: "sarka@opisto.fi", Name: "Šárka Ääritalo", TeamID: team.ID}); err != nil {
			t.Fatal(err)
		}
		secret := secretOf(f.lastLink("sarka@opisto.fi"))
		info, err := f.svc.InvitationFor(f.ctx, secret)
		if err != nil || info.Org.Name != o.Name || info.Team.Name != "Tekniikka" || info.Account {
			t.Fatalf("InvitationFor = %+v, %v", info, err)
		}
		res, err := f.svc.AcceptInvitation(f.ctx, secret, nil, account.NewUser{Email: "someone.else@x.fi", Name: "Šárka Ääritalo", Password: strongPassword})
		if err != nil || !res.NewAccount || res.User.Email != "sarka@opisto.fi" || !res.User.EmailVerified {
			t.Fatalf("accept: %+v, %v (the address must be the invited one, verified)", res, err)
		}
		people, err := f.svc.People(f.ctx, hr, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range people {
			if p.User.ID == res.User.ID && len(p.Teams) == 1 && p.Teams[0].ID == team.ID && p.Roles[0] == account.Leader {
				found = true
			}
		}
		if !found {
			t.Fatalf("the new leader is not in the team: %+v", people)
		}
		_, err = f.svc.AcceptInvitation(f.ctx, secret, nil, account.NewUser{Name: "X", Password: strongPassword})
		wantKind(t, err, apperr.NotFound)
	})
	t.Run("ErrHRInvitesHR", func(t *testing.T) {
		wantField(t, f.svc.Invite(f.ctx, hr, o.ID, account.Invitation{Email: "x@opisto.fi", Role: account.HR}), "role", "role.not_allowed")
	})
	t.Run("ErrHROfAnotherOrg", func(t *testing.T) {
		other := f.org("Toinen opisto")
		wantKind(t, f.svc.Invite(f.ctx, hr, other.ID, account.Invitation{Email: "x@opisto.fi"}), apperr.NotFound)
		_, err := f.svc.People(f.ctx, hr, other.ID)
		wantKind(t, err, apperr.NotFound)
		_, err = f.svc.Teams(f.ctx, hr, other.ID)
		wantKind(t, err, apperr.NotFound)
		otherTeam, err := f.svc.CreateTeam(f.ctx, f.admin, other.ID, "Vieras")
		if err != nil {
			t.Fatal(err)
		}
		// A team id of another organisation in a URL of one's own.
		wantKind(t, f.svc.RenameTeam(f.ctx, hr, o.ID, otherTeam.ID, "Kaapattu"), apperr.NotFound)
		wantField(t, f.svc.Invite(f.ctx, hr, o.ID, account.Invitation{Email: "x@opisto.fi", TeamID: otherTeam.ID}), "team", "team.unknown")
	})
	t.Run("existing account must sign in", func(t *testing.T) {
		if err := f.svc.Invite(f.ctx, hr, o.ID, account.Invitation{Email: "HR@opisto.fi"}); err != nil {
			t.Fatal(err)
		}
		secret := secretOf(f.lastLink("HR@opisto.fi"))
		_, err := f.svc.AcceptInvitation(f.ctx, secret, nil, account.NewUser{Name: "Impostor", Password: strongPassword})
		wantKind(t, err, apperr.Unauthorized)
		res, err := f.svc.AcceptInvitation(f.ctx, secret, hr, account.NewUser{})
		if err != nil || res.NewAccount || res.User.ID != hr.User.ID {
			t.Fatalf("accept signed in: %+v, %v", res, err)
		}
		grants, _ := f.db.Grants(f.ctx, hr.User.ID)
		if len(grants) != 2 {
			t.Fatalf("HR should now also be a leader: %+v", grants)
		}
	})
	t.Run("open link", func(t *testing.T) {
		link, _, err := f.svc.CreateInviteLink(f.ctx, hr, o.ID, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		// An address with an account: its owner is told, nothing else.
		res, err := f.svc.AcceptInvitation(f.ctx, secretOf(link), nil, account.NewUser{Email: "hr@opisto.fi", Name: "X", Password: strongPassword})
		if err != nil || !res.CheckEmail {
			t.Fatalf("taken address: %+v, %v", res, err)
		}
		res, err = f.svc.AcceptInvitation(f.ctx, secretOf(link), nil, account.NewUser{Email: "uusi@opisto.fi", Name: "Uusi Ihminen", Password: strongPassword})
		if err != nil || !res.NewAccount || res.User.EmailVerified {
			t.Fatalf("open link: %+v, %v (the address is not proven yet)", res, err)
		}
		if _, err := f.svc.ConfirmEmail(f.ctx, secretOf(f.lastLink("uusi@opisto.fi"))); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AcceptInvitation(f.ctx, secretOf(link), nil, account.NewUser{Email: "kolmas@opisto.fi", Name: "K", Password: strongPassword})
		wantKind(t, err, apperr.NotFound)
	})
}

func TestLinksAreSingleUseUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	o := f.org("Esimerkkiopisto")
	link, _, err := f.svc.CreateInviteLink(f.ctx, f.admin, o.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Go(func() {
			_, err := f.db.ConsumeToken(f.ctx, account.TokenInviteLink, account.HashToken(secretOf(link)), timeNow())
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won++
			} else if apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("consumer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d concurrent uses of a single-use link succeeded, want 1", won)
	}
}

func TestImport(t *testing.T) {
	f := newFixture(t)
	o := f.org("Esimerkkiopisto")
	if _, err := f.svc.CreateTeam(f.ctx, f.admin, o.ID, "Tekniikka"); err != nil {
		t.Fatal(err)
	}
	hr := f.member("hr@opisto.fi", "Hanna HR", account.HR, o.ID, "")
	bad := "sähköposti;nimi;tiimi\n" +
		"aino@opisto.fi;Aino;Tekniikka\n" +
		"ville@opisto.fi;Ville;\n" +
		"AINO@opisto.fi;Aino toiseen kertaan;\n" +
		"rikki;\"avoin lainaus\n"
	n, problems, err := f.svc.Import(f.ctx, hr, o.ID, strings.NewReader(bad))
	if err != nil || n != 0 {
		t.Fatalf("Import = %d, %v", n, err)
	}
	got := map[int]string{}
	for _, p := range problems {
		got[p.Line] = p.Code
	}
	if got[4] != "email.duplicate" || got[5] != "csv.malformed" {
		t.Fatalf("problems = %+v, want line 4 email.duplicate and line 5 csv.malformed", problems)
	}
	inv, err := f.svc.Invitations(f.ctx, hr, o.ID)
	if err != nil || len(inv) != 0 {
		t.Fatalf("a refused file left %d invitations (%v)", len(inv), err)
	}
	if msgs, _ := f.db.RecentMail(f.ctx, 100); len(msgs) != 1 { // only the HR invitation
		t.Fatalf("a refused file sent e-mail: %d messages", len(msgs))
	}

	good := "email,name,team\naino@opisto.fi,Aino Virtanen,tekniikka\nsarka@opisto.fi,Šárka Ääritalo,\n"
	n, problems, err = f.svc.Import(f.ctx, hr, o.ID, strings.NewReader(good))
	if err != nil || len(problems) != 0 || n != 2 {
		t.Fatalf("Import = %d, %v, %v", n, problems, err)
	}
	inv, _ = f.svc.Invitations(f.ctx, hr, o.ID)
	if len(inv) != 2 {
		t.Fatalf("%d invitations, want 2", len(inv))
	}
	res, err := f.svc.AcceptInvitation(f.ctx, secretOf(f.lastLink("sarka@opisto.fi")), nil, account.NewUser{Name: "Šárka Ääritalo", Password: strongPassword})
	if err != nil || res.User.Name != "Šárka Ääritalo" {
		t.Fatalf("accept imported invitation: %+v, %v", res, err)
	}
	leader := f.principal(res.User)
	_, _, err = f.svc.Import(f.ctx, leader, o.ID, strings.NewReader(good))
	wantKind(t, err, apperr.NotFound)
}

func TestRoles(t *testing.T) {
	f := newFixture(t)
	o := f.org("Esimerkkiopisto")
	p := f.member("l@opisto.fi", "Leena Leader", account.Leader, o.ID, "")
	wantKind(t, f.svc.SetRole(f.ctx, p, p.User.ID, account.Admin, "", true), apperr.NotFound)
	wantField(t, f.svc.SetRole(f.ctx, f.admin, p.User.ID, account.HR, "", true), "org", "role.org")
	wantField(t, f.svc.SetRole(f.ctx, f.admin, p.User.ID, account.Admin, o.ID, true), "org", "role.org")
	if err := f.svc.SetRole(f.ctx, f.admin, p.User.ID, account.HR, o.ID, true); err != nil {
		t.Fatal(err)
	}
	// The last administrator stays.
	wantKind(t, f.svc.SetRole(f.ctx, f.admin, f.admin.User.ID, account.Admin, "", false), apperr.Conflict)
	if err := f.svc.SetRole(f.ctx, f.admin, p.User.ID, account.Admin, "", true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRole(f.ctx, f.admin, f.admin.User.ID, account.Admin, "", false); err != nil {
		t.Fatalf("with two administrators one may go: %v", err)
	}
	grants, _ := f.db.Grants(f.ctx, p.User.ID)
	if len(grants) != 3 {
		t.Fatalf("grants = %+v, want leader, hr and admin", grants)
	}
	events, _ := f.db.AuditEvents(f.ctx, "", 100)
	granted := 0
	for _, e := range events {
		if e.Action == audit.RoleGranted || e.Action == audit.RoleRevoked {
			granted++
		}
	}
	if granted != 3 {
		t.Fatalf("%d role changes audited, want 3", granted)
	}
}

func timeNow() time.Time { return time.Now().UTC() }
